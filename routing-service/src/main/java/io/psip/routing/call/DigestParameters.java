package io.psip.routing.call;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Parses {@code Digest k="v", k2=v2} into a map with lower-case keys; null when it is not a Digest header. */
final class DigestParameters {

    private DigestParameters() {
    }

    static Map<String, String> parse(String header) {
        String h = header.trim();
        if (h.length() < 7 || !h.regionMatches(true, 0, "Digest", 0, 6) || !Character.isWhitespace(h.charAt(6))) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        int i = 7;
        int n = h.length();
        while (i < n) {
            while (i < n && (h.charAt(i) == ',' || Character.isWhitespace(h.charAt(i)))) {
                i++;
            }
            int eq = h.indexOf('=', i);
            if (i >= n) {
                break;
            }
            if (eq < 0) {
                return null;
            }
            String name = h.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            i = eq + 1;
            while (i < n && Character.isWhitespace(h.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && h.charAt(i) == '"') {
                i++;
                while (i < n && h.charAt(i) != '"') {
                    if (h.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    value.append(h.charAt(i++));
                }
                if (i >= n) {
                    return null;
                }
                i++;
            } else {
                while (i < n && h.charAt(i) != ',') {
                    value.append(h.charAt(i++));
                }
            }
            if (name.isEmpty() || params.putIfAbsent(name, value.toString().trim()) != null) {
                return null;
            }
        }
        return params;
    }
}
