package io.psip.routing.call;

import java.time.Instant;
import java.util.List;

/** The contacts registered (RFC 3261 section 10) to a domain's users in this region. */
public interface Registrations {

    /** The contacts of {@code user@domain} that have not expired, most preferred (highest q) first. */
    List<Contact> contactsOf(String domain, String user);

    /**
     * Where a call to a registered contact goes: {@code uri} (the Contact as registered) is its Request-URI, and it
     * is sent to the address and port its REGISTER came from, over that transport (NAT). Over tcp or tls only the
     * instance {@code instanceId} holds the connection that reaches it.
     */
    record Contact(String uri, String sourceAddress, int sourcePort, String transport, String instanceId,
                   Instant expiresAt) {
    }

    /** No registrations (an edge without a registrar). */
    Registrations NONE = (domain, user) -> List.of();
}
