package io.psip.webhook.ncco;

import java.util.List;

/** A valid NCCO: the actions, in the order the call runs them. */
public record Ncco(List<NccoAction> actions) {

    public Ncco {
        actions = List.copyOf(actions);
    }

    public static Ncco of(NccoAction... actions) {
        return new Ncco(List.of(actions));
    }
}
