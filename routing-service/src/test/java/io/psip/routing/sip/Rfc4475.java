package io.psip.routing.sip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The torture messages of RFC 4475 §3.1, stored under {@code src/test/resources/rfc4475/<section>-<name>.txt} as
 * the RFC prints them, in its own notation (§2): every line break is CRLF, {@code <allOneLine>} blocks are one
 * line, {@code <hex>..</hex>} are bytes, {@code <repeat count=N>..</repeat>} is repeated text. Names are the RFC's
 * file names (wsinv, intmeth, ...); §3.1.1 are the valid messages, §3.1.2 the invalid ones.
 */
final class Rfc4475 {

    static final List<String> VALID = List.of("3.1.1.1-wsinv", "3.1.1.2-intmeth", "3.1.1.3-esc01", "3.1.1.4-escnull",
            "3.1.1.5-esc02", "3.1.1.6-lwsdisp", "3.1.1.7-longreq", "3.1.1.8-dblreq", "3.1.1.9-semiuri",
            "3.1.1.10-transports", "3.1.1.11-mpart01", "3.1.1.12-unreason", "3.1.1.13-noreason");
    static final List<String> INVALID = List.of("3.1.2.1-badinv01", "3.1.2.2-clerr", "3.1.2.3-ncl",
            "3.1.2.4-scalar02", "3.1.2.5-scalarlg", "3.1.2.6-quotbal", "3.1.2.7-ltgtruri", "3.1.2.8-lwsruri",
            "3.1.2.9-lwsstart", "3.1.2.10-trws", "3.1.2.11-escruri", "3.1.2.12-baddate", "3.1.2.13-regbadct",
            "3.1.2.14-badaspec", "3.1.2.15-baddn", "3.1.2.16-badvers", "3.1.2.17-mismatch01", "3.1.2.18-mismatch02",
            "3.1.2.19-bigcode");

    private static final Pattern REPEAT = Pattern.compile("<repeat count=(\\d+)>(.*?)</repeat>");
    private static final Pattern HEX = Pattern.compile("<hex>([0-9A-Fa-f]*)</hex>");

    private Rfc4475() {
    }

    /** The message's bytes on the wire. */
    static byte[] message(String name) {
        String text;
        try (InputStream in = Rfc4475.class.getResourceAsStream("/rfc4475/" + name + ".txt")) {
            if (in == null) {
                throw new IllegalArgumentException("no torture message " + name);
            }
            text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        lines.remove(lines.size() - 1); // the file's last line break
        StringBuilder wire = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).equals("<allOneLine>")) {
                int end = lines.indexOf("</allOneLine>");
                wire.append(String.join("", lines.subList(i + 1, end)));
                lines.set(end, "");
                i = end;
            } else {
                wire.append(lines.get(i));
            }
            wire.append("\r\n");
        }
        Matcher repeat = REPEAT.matcher(wire);
        String expanded = repeat.replaceAll(m -> Matcher.quoteReplacement(
                m.group(2).repeat(Integer.parseInt(m.group(1)))));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Matcher hex = HEX.matcher(expanded);
        int at = 0;
        while (hex.find()) {
            bytes.writeBytes(expanded.substring(at, hex.start()).getBytes(StandardCharsets.ISO_8859_1));
            bytes.writeBytes(HexFormat.of().parseHex(hex.group(1)));
            at = hex.end();
        }
        bytes.writeBytes(expanded.substring(at).getBytes(StandardCharsets.ISO_8859_1));
        return bytes.toByteArray();
    }

    static boolean isResponse(String name) {
        return new String(message(name), 0, 4, StandardCharsets.ISO_8859_1).equals("SIP/");
    }
}
