package io.psip.routing.table;

import io.psip.schemas.net.DestinationPattern;

import java.util.List;

/**
 * What routing knows of an account: where its connects may go. Unless {@code restricted}, wherever the operator's
 * policy allows; if restricted, only to a destination one of {@code destinationAllow} allows too.
 */
public record Account(String id, long version, List<DestinationPattern> destinationAllow, boolean restricted) {

    public Account {
        destinationAllow = List.copyOf(destinationAllow);
    }
}
