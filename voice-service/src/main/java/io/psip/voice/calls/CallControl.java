package io.psip.voice.calls;

import io.psip.events.CallAction;
import io.psip.events.CallCommand;

import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * {@code PUT /v1/calls/{uuid}} actions that reach the call: a HANGUP command to the routing instance the record
 * says holds it, on its region's command topic. Routing ends a call in any state but the last one (ringing: the
 * caller gets a final response and the far end a CANCEL; answered: BYE on both legs), so only a call whose
 * record says it is over is refused here.
 */
public class CallControl {

    public enum Outcome { SENT, NOT_FOUND, ENDED }

    private final CallRecords records;
    private final CallCommands commands;
    private final Clock clock;

    public CallControl(CallRecords records, CallCommands commands, Clock clock) {
        this.records = records;
        this.commands = commands;
        this.clock = clock;
    }

    /** The outcome, with the command's publication to wait for when it is SENT. */
    public Result hangup(String accountId, String uuid) {
        Optional<CallRecord> found = records.find(accountId, uuid);
        if (found.isEmpty()) {
            return new Result(Outcome.NOT_FOUND, CompletableFuture.completedFuture(null));
        }
        CallRecord call = found.get();
        if (call.ended()) {
            return new Result(Outcome.ENDED, CompletableFuture.completedFuture(null));
        }
        CallCommand command = CallCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setOccurredAt(clock.instant())
                .setCallUuid(call.uuid())
                .setRegion(call.region())
                .setInstanceId(call.instanceId())
                .setAction(CallAction.HANGUP)
                .build();
        return new Result(Outcome.SENT, commands.publish(command));
    }

    public record Result(Outcome outcome, CompletableFuture<Void> published) {
    }
}
