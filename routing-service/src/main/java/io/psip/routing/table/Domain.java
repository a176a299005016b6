package io.psip.routing.table;

import io.psip.routing.call.MediaOffer;
import io.psip.schemas.net.Cidr;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A SIP domain as routing needs it. {@code applicationId} is null when no application is linked; {@code tls} and
 * {@code srtp} are {@code always}, {@code never} or {@code optional} (null means optional).
 */
public record Domain(String name, long version, String accountId, String applicationId, List<Cidr> acl,
                     boolean digestAuth, Map<String, DigestCredentials> digestUsers, Integer maxConcurrentCalls,
                     String tls, String srtp) {

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
    }

    /** The source is parsed once here, not once per ACL entry: this runs on the SIP thread for every INVITE. */
    public boolean allows(String sourceAddress) {
        Optional<InetAddress> source = Cidr.parseAddress(sourceAddress);
        return source.isPresent() && acl.stream().anyMatch(cidr -> cidr.contains(source.get()));
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
