package io.psip.schemas.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation; a bare address means a single host. Only literals are read: a host
 * name never triggers a DNS lookup. The normal form ({@link #normalForm()}) is what DomainChanged's {@code acl}
 * carries: always {@code address/prefix}, host bits cleared, IPv6 in RFC 5952 short form, IPv4-mapped IPv6 as
 * IPv4.
 */
public final class Cidr {

    // Any literal, as a packet source may be written (leading zeros, brackets, an IPv6 zone).
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+(%[\\w.]+)?");
    // What an ACL entry may look like: no leading zeros, no brackets, no zone.
    private static final Pattern STRICT_IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern STRICT_IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern STRICT_PREFIX = Pattern.compile("0|[1-9]\\d{0,2}");

    private final byte[] network;
    private final int prefixLength;
    private final String text;

    private Cidr(byte[] address, int prefixLength, String text) {
        this.network = mask(address, prefixLength);
        this.prefixLength = prefixLength;
        this.text = text;
    }

    /** Parses {@code 10.0.0.0/8}, {@code 2001:db8::/32} or a bare address; throws IllegalArgumentException otherwise. */
    public static Cidr parse(String text) {
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] bytes = parseAddress(address)
                .orElseThrow(() -> new IllegalArgumentException("not an IP address: " + text))
                .getAddress();
        int maxPrefix = bytes.length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? maxPrefix : Integer.parseInt(trimmed.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length: " + text, e);
        }
        if (prefix < 0 || prefix > maxPrefix) {
            throw new IllegalArgumentException("bad prefix length: " + text);
        }
        return new Cidr(bytes, prefix, trimmed);
    }

    /**
     * The normal form of an ACL entry as a client may type it, or null when it is not a plain address or CIDR
     * (stricter than {@link #parse}: no leading zeros, brackets or zones, a decimal prefix without sign or padding).
     */
    public static String normalise(String entry) {
        if (entry == null) {
            return null;
        }
        String text = entry.strip();
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        if (slash >= 0 && !STRICT_PREFIX.matcher(text.substring(slash + 1)).matches()) {
            return null;
        }
        if (!STRICT_IPV4.matcher(address).matches()
                && !(address.contains(":") && STRICT_IPV6.matcher(address).matches())) {
            return null;
        }
        try {
            return parse(text).normalForm();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** An address literal ({@code [v6]} allowed), never resolved; empty for anything else, host names included. */
    public static Optional<InetAddress> parseAddress(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String literal = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        try {
            var v4 = IPV4.matcher(literal);
            if (v4.matches()) {
                byte[] bytes = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int octet = Integer.parseInt(v4.group(i + 1));
                    if (octet > 255) {
                        return Optional.empty();
                    }
                    bytes[i] = (byte) octet;
                }
                return Optional.of(InetAddress.getByAddress(bytes));
            }
            if (literal.indexOf(':') >= 0 && IPV6.matcher(literal).matches()) {
                // In brackets getByName parses the literal or fails; it never resolves.
                return Optional.of(InetAddress.getByName("[" + literal + "]"));
            }
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        return candidate.length == network.length && Arrays.equals(mask(candidate, prefixLength), network);
    }

    /** Like {@link #contains(InetAddress)} for an address literal; false for anything that is not one. */
    public boolean contains(String addressLiteral) {
        Optional<InetAddress> address = parseAddress(addressLiteral);
        return address.isPresent() && contains(address.get());
    }

    /** {@code address/prefix} with host bits cleared, IPv6 in RFC 5952 short form. */
    public String normalForm() {
        return format(network) + "/" + prefixLength;
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] masked = bytes.clone();
        for (int i = 0; i < masked.length; i++) {
            int bitsInByte = Math.max(0, Math.min(8, prefix - i * 8));
            masked[i] = (byte) (masked[i] & (0xff00 >> bitsInByte));
        }
        return masked;
    }

    private static String format(byte[] bytes) {
        if (bytes.length == 4) {
            try {
                return ((Inet4Address) InetAddress.getByAddress(bytes)).getHostAddress();
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        // RFC 5952: compress the longest run (first if tied) of two or more zero groups.
        int bestStart = -1;
        int bestLength = 0;
        for (int i = 0; i < 8; ) {
            if (groups[i] == 0) {
                int j = i;
                while (j < 8 && groups[j] == 0) {
                    j++;
                }
                if (j - i > bestLength && j - i >= 2) {
                    bestStart = i;
                    bestLength = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!out.isEmpty() && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    /** The entry as it was given (trimmed). */
    @Override
    public String toString() {
        return text;
    }
}
