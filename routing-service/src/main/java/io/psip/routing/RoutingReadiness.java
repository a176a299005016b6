package io.psip.routing;

import io.psip.routing.messaging.CallCommandListener;
import io.psip.routing.sip.SipEdge;
import io.psip.routing.table.RoutingTables;
import io.psip.routing.table.TableReaders;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * Ready means: every table has reached the end offsets read at start and is neither stuck on a record (the
 * registry cannot resolve it yet) nor holding dead letters an operator has not acknowledged (a change it will never
 * apply), the SIP listeners are up, the calls an earlier run left behind have been ended, the command listener sits
 * at the end of this region's command topic and is stuck on no command, the region's registrations have been read
 * up to where their topic ended at start, and no graceful shutdown has begun. Member of the readiness group.
 */
public final class RoutingReadiness implements HealthIndicator {

    private final TableReaders readers;
    private final RoutingTables tables;
    private final SipEdge sip;
    private final CallCommandListener commands;
    private final BooleanSupplier registrationsCaughtUp;
    private final IntSupplier bindings;

    RoutingReadiness(TableReaders readers, RoutingTables tables, SipEdge sip, CallCommandListener commands,
                     BooleanSupplier registrationsCaughtUp, IntSupplier bindings) {
        this.readers = readers;
        this.tables = tables;
        this.sip = sip;
        this.commands = commands;
        this.registrationsCaughtUp = registrationsCaughtUp;
        this.bindings = bindings;
    }

    @Override
    public Health health() {
        boolean ready = readers.ready() && sip.listening() && sip.recovered() && !sip.draining()
                && commands.positioned() && registrationsCaughtUp.getAsBoolean();
        return (ready ? Health.up() : Health.outOfService())
                .withDetail("tables", readers.status())
                .withDetail("generation", readers.generation())
                .withDetail("domains", tables.domains().size())
                .withDetail("applications", tables.applications().size())
                .withDetail("numbers", tables.numbers().size())
                .withDetail("accounts", tables.accountCount())
                .withDetail("sip", sip.draining() ? "draining" : sip.listening() ? "listening" : "down")
                .withDetail("earlier_calls", sip.recovered() ? "ended" : "ending")
                .withDetail("commands", commands.positioned() ? "positioned" : commands.stuck() ? "stuck" : "starting")
                .withDetail("registrations", registrationsCaughtUp.getAsBoolean() ? "caught up" : "reading")
                .withDetail("bindings", bindings.getAsInt())
                .build();
    }
}
