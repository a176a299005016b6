package io.psip.routing.messaging;

import io.psip.events.ActiveCall;
import io.psip.events.DialogLeg;
import io.psip.routing.RoutingProperties;
import io.psip.schemas.Topics;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.testsupport.TestKafka;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The active-calls record on a real broker: what a restarted instance reads back is the latest record of each of
 * its own calls, without the ended ones or another instance's, and reading it again changes nothing.
 */
class KafkaActiveCallsTest {

    private final String instance = "routing-eu-" + UUID.randomUUID();
    private final String other = "routing-eu-" + UUID.randomUUID();
    private final String run = UUID.randomUUID() + "-";
    private final AtomicInteger lost = new AtomicInteger();

    @Test
    void aRestartReadsBackTheLatestRecordOfEachOfItsOwnCallsThatHasNotEnded() {
        new TopicCreator(TestKafka.bootstrapServers()).create(Topics.activeCalls("eu").name());
        try (KafkaActiveCalls earlierRun = activeCalls()) {
            earlierRun.record(call("a", instance, 1));
            earlierRun.record(call("b", instance, 1));
            earlierRun.record(call("c", other, 1));
            earlierRun.record(call("a", instance, 7)); // a re-INVITE moved the CSeq on
            earlierRun.remove(run + "b");
        }

        try (KafkaActiveCalls restart = activeCalls()) {
            List<ActiveCall> held = restart.heldBy(instance);
            assertThat(held).extracting(ActiveCall::getCallUuid).containsExactly(run + "a");
            assertThat(held.get(0).getFarEnd().getNextLocalCseq()).isEqualTo(7);
            assertThat(restart.heldBy(instance)).isEqualTo(held);
            assertThat(restart.heldBy(other)).extracting(ActiveCall::getCallUuid).containsExactly(run + "c");
        }
        assertThat(lost).hasValue(0);
    }

    private KafkaActiveCalls activeCalls() {
        return new KafkaActiveCalls(Topics.activeCalls("eu"), TestKafka.bootstrapServers(),
                new RoutingProperties.SchemaRegistry(TestKafka.registryUrl(), true), "active-calls-test",
                lost::incrementAndGet);
    }

    /** Unique call uuids and instance ids: the broker is shared by every test of this JVM. */
    private ActiveCall call(String name, String instanceId, long farEndCseq) {
        Instant now = Instant.now();
        return ActiveCall.newBuilder().setCallUuid(run + name).setInstanceId(instanceId).setRegion("eu")
                .setRecordedAt(now).setConversationUuid("CON-" + name).setAccountId("acct").setApplicationId("app")
                .setDomain("acme").setFrom("alice").setTo("123").setNextSequence(4).setAnsweredAt(now)
                .setCaller(leg("caller-" + name, 1)).setFarEnd(leg("far-" + name, farEndCseq)).build();
    }

    private static DialogLeg leg(String callId, long nextCseq) {
        return DialogLeg.newBuilder().setCallId(callId).setLocalTag("l").setRemoteTag("r")
                .setLocalUri("<sip:psip@127.0.0.1>").setRemoteUri("<sip:bob@127.0.0.1>")
                .setRemoteTarget("sip:bob@127.0.0.1:5090").setRouteSet(List.of()).setNextLocalCseq(nextCseq)
                .setTransport("udp").build();
    }
}
