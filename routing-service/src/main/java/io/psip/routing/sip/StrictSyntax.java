package io.psip.routing.sip;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What RFC 3261's grammar forbids but the RI's parser lets through (RFC 4475 §3.1.2.9 to §3.1.2.15): a request
 * line with extra or trailing whitespace, a Date that is not GMT, a From, To or Contact whose display name is
 * neither tokens nor a quoted string, with whitespace inside its angle brackets, or whose bare URI carries
 * headers. Read from the raw bytes, which the RI's parsed headers no longer show (over TCP the RI hands its
 * parser the head with bare LF line ends); plain text, no SIP types.
 */
final class StrictSyntax {

    /** Header bytes read at most; a longer head is cut there (the RI's message size bounds it anyway). */
    private static final int MAX_HEAD = 16 * 1024;

    private StrictSyntax() {
    }

    /** Whether the request in {@code bytes} (head and body) breaks one of the rules above. */
    static boolean violated(byte[] bytes) {
        List<String> lines = headLines(bytes);
        if (lines.isEmpty() || !requestLineOk(lines.get(0))) {
            return true;
        }
        for (String header : unfolded(lines.subList(1, lines.size()))) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            boolean ok = switch (name) {
                case "from", "f", "to", "t" -> addressOk(value);
                case "contact", "m" -> value.equals("*") || splitOutsideQuotesAndBrackets(value).stream()
                        .allMatch(StrictSyntax::addressOk);
                case "date" -> value.endsWith(" GMT");
                default -> true;
            };
            if (!ok) {
                return true;
            }
        }
        return false;
    }

    /**
     * Method SP Request-URI SP SIP-Version: exactly two single spaces, nothing after the version, and no headers
     * ('?' after the URI's last '@') in the Request-URI, where RFC 3261 (19.1.1) does not allow them.
     */
    static boolean requestLineOk(String line) {
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()
                || line.indexOf('\t') >= 0 || parts[1].startsWith("<")
                || !parts[2].regionMatches(true, 0, "SIP/", 0, 4)) {
            return false;
        }
        String uri = parts[1];
        return uri.indexOf('?', Math.max(0, uri.lastIndexOf('@'))) < 0;
    }

    /**
     * One From/To/Contact value: {@code [display-name] <addr-spec>} with no whitespace just inside the brackets
     * and a display name of tokens or one quoted string, or a bare addr-spec (up to its first ';') without
     * headers ('?') or commas.
     */
    static boolean addressOk(String value) {
        int open = indexOutsideQuotes(value, '<');
        if (open < 0) {
            int params = value.indexOf(';');
            String uri = params < 0 ? value : value.substring(0, params);
            return uri.indexOf('?') < 0 && uri.indexOf(',') < 0 && uri.indexOf('"') < 0;
        }
        int close = value.indexOf('>', open);
        if (close < 0 || close == open + 1 || isSpace(value.charAt(open + 1)) || isSpace(value.charAt(close - 1))) {
            return false;
        }
        String display = value.substring(0, open).trim();
        if (display.isEmpty()) {
            return true;
        }
        if (display.charAt(0) == '"') {
            return closingQuote(display, 0) == display.length() - 1;
        }
        return display.chars().allMatch(c -> c == ' ' || c == '\t' || isTokenChar(c));
    }

    /** The lines of the message head, CRLF or bare LF, up to the blank line. */
    private static List<String> headLines(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, MAX_HEAD), StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\r?\n", -1)) {
            if (line.isEmpty()) {
                break;
            }
            lines.add(line);
        }
        return lines;
    }

    /** Header lines with folded continuation lines joined. */
    private static List<String> unfolded(List<String> headers) {
        List<String> lines = new ArrayList<>();
        for (String line : headers) {
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !lines.isEmpty()) {
                lines.set(lines.size() - 1, lines.get(lines.size() - 1) + " " + line.trim());
            } else {
                lines.add(line);
            }
        }
        return lines;
    }

    private static List<String> splitOutsideQuotesAndBrackets(String value) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        boolean quoted = false;
        boolean bracketed = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '<') {
                bracketed = true;
            } else if (c == '>') {
                bracketed = false;
            } else if (c == ',' && !bracketed) {
                parts.add(value.substring(start, i).trim());
                start = i + 1;
            }
        }
        parts.add(value.substring(start).trim());
        return parts;
    }

    private static int indexOutsideQuotes(String value, char wanted) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                i = closingQuote(value, i);
                if (i < 0) {
                    return -1;
                }
            } else if (c == wanted) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the quote closing the quoted string that opens at {@code open}, or -1. */
    private static int closingQuote(String value, int open) {
        for (int i = open + 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    /** RFC 3261 token: alphanumerics and -.!%*_+`'~ */
    private static boolean isTokenChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-.!%*_+`'~".indexOf(c) >= 0;
    }
}
