package io.psip.routing.call;

import io.psip.schemas.crypto.AccountSecrets;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The hosts this region answers for: its domains' {@code <name>.sip-<region>.<base-domain>}, and the SIP Connect
 * hosts {@code sip.<base-domain>} (DNS sends it to the nearest region) and {@code sip-<region>.<base-domain>}.
 * Non-regional domain hosts ({@code acme.sip.example.com}) and other regions' hosts are not ours. Hosts compare
 * case-insensitively, with or without a trailing dot.
 */
public final class RegionalHost {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private final String regionalHost;
    private final String suffix;
    private final String sipConnectHost;
    private final String sipConnectRealm;

    public RegionalHost(String region, String baseDomain) {
        String base = trimDot(baseDomain.toLowerCase(Locale.ROOT));
        this.regionalHost = "sip-" + region.toLowerCase(Locale.ROOT) + "." + base;
        this.suffix = "." + regionalHost;
        this.sipConnectHost = "sip." + base;
        this.sipConnectRealm = AccountSecrets.realm(base);
    }

    /** The domain name in {@code host}, if the host is one of this region's domain hosts. */
    public Optional<String> domainName(String host) {
        if (host == null) {
            return Optional.empty();
        }
        String normalised = normalise(host);
        if (!normalised.endsWith(suffix)) {
            return Optional.empty();
        }
        String name = normalised.substring(0, normalised.length() - suffix.length());
        return LABEL.matcher(name).matches() ? Optional.of(name) : Optional.empty();
    }

    /** Whether {@code host} is a SIP Connect host this region answers for. */
    public boolean sipConnect(String host) {
        if (host == null) {
            return false;
        }
        String normalised = normalise(host);
        return normalised.equals(sipConnectHost) || normalised.equals(regionalHost);
    }

    /**
     * The SIP Connect digest realm: {@code sip.<base-domain>} in every region, whichever host was dialled, since
     * provisioning computes one HA1 pair per account for all regions.
     */
    public String sipConnectRealm() {
        return sipConnectRealm;
    }

    private static String normalise(String host) {
        return trimDot(host.toLowerCase(Locale.ROOT));
    }

    private static String trimDot(String host) {
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }
}
