package io.psip.schemas.net;

import java.net.InetAddress;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One entry of an account's {@code destination_allow} list: where its NCCO connects may go. Either an address
 * range ({@code 192.0.2.10}, {@code 192.0.2.0/24}, {@code 2001:db8::/32}, matched against every resolved address)
 * or a host name ({@code sip.example.com}, or {@code *.example.com} for any name below it but not itself, matched
 * against the Request-URI host as written, before DNS), each optionally with {@code :port} (matched against the
 * resolved port; an IPv6 range with a port is written {@code [2001:db8::/32]:5060}). Provisioning publishes only
 * the normal form ({@link #toString()}): ranges as {@code address/prefix}, names in lower case.
 */
public final class DestinationPattern {

    /** The longest entry accepted: a 253-character name and a port, with room for {@code *.} and brackets. */
    public static final int MAX_LENGTH = 270;

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern PORT = Pattern.compile("[1-9]\\d{0,4}");

    private final Cidr range;
    private final String name;
    private final boolean wildcard;
    private final int port;

    private DestinationPattern(Cidr range, String name, boolean wildcard, int port) {
        this.range = range;
        this.name = name;
        this.wildcard = wildcard;
        this.port = port;
    }

    /** Parses one entry; throws IllegalArgumentException, with a reason fit for an API client, otherwise. */
    public static DestinationPattern parse(String entry) {
        if (entry == null || entry.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
        if (entry.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("must be at most " + MAX_LENGTH + " characters");
        }
        String text = entry.strip();
        String hostPart = text;
        String portPart = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("has '[' without ']'");
            }
            hostPart = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("may only have ':port' after ']'");
                }
                portPart = rest.substring(1);
            }
            if (!hostPart.contains(":")) {
                throw new IllegalArgumentException("brackets are for IPv6 only");
            }
        } else if (text.indexOf(':') == text.lastIndexOf(':') && text.indexOf(':') >= 0) {
            // one colon: host:port (an IPv6 literal has at least two)
            hostPart = text.substring(0, text.indexOf(':'));
            portPart = text.substring(text.indexOf(':') + 1);
        }
        int port = portPart == null ? 0 : port(portPart);
        if (hostPart.contains(":") || Character.isDigit(lastChar(hostPart)) || hostPart.contains("/")) {
            String normal = Cidr.normalise(hostPart);
            if (normal == null) {
                throw new IllegalArgumentException("is neither an IP address or CIDR range nor a host name");
            }
            return new DestinationPattern(Cidr.parse(normal), null, false, port);
        }
        String host = hostPart.toLowerCase(Locale.ROOT);
        boolean wildcard = host.startsWith("*.");
        String name = wildcard ? host.substring(2) : host;
        if (name.length() > 253 || !validName(name)) {
            throw new IllegalArgumentException("is not a host name (letters, digits and '-' in dot-separated labels,"
                    + " '*.' only in front)");
        }
        return new DestinationPattern(null, name, wildcard, port);
    }

    private static char lastChar(String s) {
        return s.isEmpty() ? 'x' : s.charAt(s.length() - 1);
    }

    private static int port(String text) {
        if (!PORT.matcher(text).matches() || Integer.parseInt(text) > 65535) {
            throw new IllegalArgumentException("has a port that is not 1-65535");
        }
        return Integer.parseInt(text);
    }

    private static boolean validName(String name) {
        if (name.isEmpty() || name.endsWith(".")) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a connect to {@code uriHost} (the Request-URI host as written) that resolved to {@code address:port}
     * may go there by this entry. An address range never matches by name, nor a name by address.
     */
    public boolean allows(String uriHost, InetAddress address, int port) {
        if (this.port != 0 && this.port != port) {
            return false;
        }
        if (range != null) {
            return range.contains(address);
        }
        String host = uriHost.toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1); // the absolute form names the same host
        }
        return wildcard ? host.endsWith("." + name) : host.equals(name);
    }

    /** The normal form, as published on {@code psip.accounts}. */
    @Override
    public String toString() {
        String host = range != null ? range.normalForm() : wildcard ? "*." + name : name;
        if (port == 0) {
            return host;
        }
        return range != null && host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
