package io.psip.routing;

import io.psip.routing.sip.SipEdge;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;

/**
 * Runs the edge's graceful drain when the application context stops, in the lifecycle phase before any bean is
 * destroyed: commands still arrive for the calls in progress, and their final events and tombstones still go out.
 */
final class CallDrain implements SmartLifecycle {

    private final SipEdge edge;
    private final Duration timeout;
    private volatile boolean running;

    CallDrain(SipEdge edge, Duration timeout) {
        this.edge = edge;
        this.timeout = timeout;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        edge.drain(timeout);
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
