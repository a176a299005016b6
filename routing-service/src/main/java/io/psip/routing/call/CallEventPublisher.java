package io.psip.routing.call;

import io.psip.events.CallEvent;

/** Where call events go (psip.call-events, keyed by call uuid). Must not block the caller for long. */
public interface CallEventPublisher {

    void publish(CallEvent event);
}
