package io.psip.provisioning.domain;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Parses one ACL entry, an IPv4/IPv6 address or CIDR, into its normal form: always {@code address/prefix},
 * host bits cleared, IPv6 in RFC 5952 short form, IPv4-mapped IPv6 as IPv4. Never resolves names: only
 * literals are accepted.
 */
public final class Acl {

    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern PREFIX = Pattern.compile("0|[1-9]\\d{0,2}");

    private Acl() {
    }

    /** The normal form, or null when {@code entry} is not an address or CIDR. */
    public static String normalise(String entry) {
        if (entry == null) {
            return null;
        }
        String text = entry.strip();
        String address = text;
        Integer prefix = null;
        int slash = text.indexOf('/');
        if (slash >= 0) {
            address = text.substring(0, slash);
            String p = text.substring(slash + 1);
            if (!PREFIX.matcher(p).matches()) {
                return null;
            }
            prefix = Integer.parseInt(p);
        }
        byte[] bytes = parse(address);
        if (bytes == null) {
            return null;
        }
        int bits = bytes.length * 8;
        if (prefix == null) {
            prefix = bits;
        }
        if (prefix > bits) {
            return null;
        }
        clearHostBits(bytes, prefix);
        return format(bytes) + "/" + prefix;
    }

    private static byte[] parse(String address) {
        try {
            if (IPV4.matcher(address).matches()) {
                return InetAddress.getByName(address).getAddress();
            }
            if (address.contains(":") && IPV6_CHARS.matcher(address).matches()) {
                InetAddress parsed = InetAddress.getByName("[" + address + "]");
                return parsed.getAddress();
            }
        } catch (UnknownHostException e) {
            return null;
        }
        return null;
    }

    private static void clearHostBits(byte[] bytes, int prefix) {
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            bytes[i] &= (byte) (0xff << (8 - keep));
        }
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
}
