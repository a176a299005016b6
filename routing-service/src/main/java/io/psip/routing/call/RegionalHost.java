package io.psip.routing.call;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The hosts this region answers for: {@code <name>.sip-<region>.<base-domain>}. Non-regional hosts
 * ({@code acme.sip.example.com}) and other regions' hosts are not ours.
 */
public final class RegionalHost {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private final String suffix;

    public RegionalHost(String region, String baseDomain) {
        this.suffix = ".sip-" + region.toLowerCase(Locale.ROOT) + "." + trimDot(baseDomain.toLowerCase(Locale.ROOT));
    }

    /** The domain name in {@code host}, if the host is one of this region's. */
    public Optional<String> domainName(String host) {
        if (host == null) {
            return Optional.empty();
        }
        String normalised = trimDot(host.toLowerCase(Locale.ROOT));
        if (!normalised.endsWith(suffix)) {
            return Optional.empty();
        }
        String name = normalised.substring(0, normalised.length() - suffix.length());
        return LABEL.matcher(name).matches() ? Optional.of(name) : Optional.empty();
    }

    private static String trimDot(String host) {
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }
}
