package io.psip.routing.call;

import io.psip.events.CallCommand;

/** Carries out commands for the calls this instance holds. */
public interface CallControl {

    /** Executes {@code command} if this instance holds its call; returns false when it does not. */
    boolean execute(CallCommand command);
}
