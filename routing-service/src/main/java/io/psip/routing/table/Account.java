package io.psip.routing.table;

import io.psip.routing.table.Domain.DigestCredentials;
import io.psip.schemas.net.DestinationPattern;

import java.util.List;
import java.util.Optional;

/**
 * What routing knows of an account: where its connects may go and how it authenticates SIP Connect calls. Unless
 * {@code restricted}, connects go wherever the operator's policy allows; if restricted, only to a destination one
 * of {@code destinationAllow} allows too.
 *
 * @param apiKey     the SIP Connect digest username; null when the account cannot use SIP Connect
 * @param active     false for a suspended account (or one of a status this instance does not know)
 * @param sipConnect the HA1s of API key and secret in the SIP Connect realm; null when none are usable here
 */
public record Account(String id, long version, List<DestinationPattern> destinationAllow, boolean restricted,
                      String apiKey, boolean active, DigestCredentials sipConnect) {

    public Account {
        destinationAllow = List.copyOf(destinationAllow);
    }

    public Optional<DigestCredentials> sipConnectCredentials() {
        return Optional.ofNullable(sipConnect);
    }
}
