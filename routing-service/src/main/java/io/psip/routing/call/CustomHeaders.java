package io.psip.routing.call;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Which INVITE headers travel with a call as custom headers, and how NCCO headers become SIP headers. */
public final class CustomHeaders {

    private CustomHeaders() {
    }

    /** Every {@code X-} header except {@code X-Nexmo*} (platform-internal), keyed as received; first value wins. */
    public static boolean isCustom(String headerName) {
        String lower = headerName.toLowerCase(Locale.ROOT);
        return lower.startsWith("x-") && !lower.startsWith("x-nexmo");
    }

    /** NCCO connect headers as SIP header names: {@code k} becomes {@code X-k}; names starting with X- stay. */
    public static Map<String, String> toSipHeaders(Map<String, String> nccoHeaders) {
        Map<String, String> sip = new LinkedHashMap<>();
        nccoHeaders.forEach((name, value) -> {
            String sipName = name.regionMatches(true, 0, "X-", 0, 2) ? name : "X-" + name;
            if (isToken(sipName) && value != null && value.indexOf('\r') < 0 && value.indexOf('\n') < 0) {
                sip.put(sipName, value);
            }
        });
        return sip;
    }

    private static boolean isToken(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && "-.!%*_+`'~".indexOf(c) < 0) {
                return false;
            }
        }
        return !name.isEmpty();
    }
}
