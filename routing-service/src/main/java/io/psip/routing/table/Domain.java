package io.psip.routing.table;

import io.psip.routing.call.MediaOffer;
import io.psip.schemas.net.CallerPattern;
import io.psip.schemas.net.Cidr;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A SIP domain as routing needs it. {@code applicationId} is null when no application is linked; {@code tls} and
 * {@code srtp} are {@code always}, {@code never} or {@code optional} (null means optional). Unless
 * {@code callersRestricted}, any caller may call; if restricted, only a caller number one of {@code allowedCallers}
 * matches (restricted with no readable pattern: nobody).
 */
public record Domain(String name, long version, String accountId, String applicationId, List<Cidr> acl,
                     boolean digestAuth, Map<String, DigestCredentials> digestUsers, Integer maxConcurrentCalls,
                     String tls, String srtp, List<CallerPattern> allowedCallers, boolean callersRestricted) {

    /** HA1 values only; the secret itself never reaches routing. */
    public record DigestCredentials(String username, String ha1Md5, String ha1Sha256) {

        /** An HA1 is as good as the password for this realm: keep it out of any log line that prints a domain. */
        @Override
        public String toString() {
            return "DigestCredentials[username=" + username + "]";
        }
    }

    public Domain {
        acl = List.copyOf(acl);
        digestUsers = Map.copyOf(digestUsers);
        allowedCallers = List.copyOf(allowedCallers);
    }

    /** A domain that takes calls from any caller. */
    public Domain(String name, long version, String accountId, String applicationId, List<Cidr> acl,
                  boolean digestAuth, Map<String, DigestCredentials> digestUsers, Integer maxConcurrentCalls,
                  String tls, String srtp) {
        this(name, version, accountId, applicationId, acl, digestAuth, digestUsers, maxConcurrentCalls, tls, srtp,
                List.of(), false);
    }

    /** The source is parsed once here, not once per ACL entry: this runs on the SIP thread for every INVITE. */
    public boolean allows(String sourceAddress) {
        Optional<InetAddress> source = Cidr.parseAddress(sourceAddress);
        return source.isPresent() && acl.stream().anyMatch(cidr -> cidr.contains(source.get()));
    }

    /**
     * Whether the caller may call the domain. {@code callerNumber}: the From user as an E.164 number without the +,
     * or null when it is not one, which only an unrestricted domain takes.
     */
    public boolean allowsCaller(String callerNumber) {
        if (!callersRestricted) {
            return true;
        }
        return callerNumber != null && allowedCallers.stream().anyMatch(pattern -> pattern.matches(callerNumber));
    }

    /** Whether a call that arrived over TLS ({@code secure}) or not is allowed by the domain's TLS setting. */
    public boolean acceptsTransport(boolean secure) {
        return switch (tls == null ? "optional" : tls) {
            case "always" -> secure;
            case "never" -> !secure;
            default -> true;
        };
    }

    /**
     * Whether the INVITE's media offer suits the domain's SRTP setting: {@code always} takes only an offer whose
     * every audio stream is SDES-SRTP (no SDP at all is not SRTP), {@code never} refuses any SRTP audio stream.
     */
    public boolean acceptsMedia(Supplier<MediaOffer> offer) {
        return switch (srtp == null ? "optional" : srtp) {
            case "always" -> offer.get().srtpOnly();
            case "never" -> !offer.get().offersSrtp();
            default -> true;
        };
    }

    public Optional<DigestCredentials> digestUser(String username) {
        return Optional.ofNullable(digestUsers.get(username));
    }
}
