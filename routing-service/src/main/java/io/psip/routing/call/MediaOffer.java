package io.psip.routing.call;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What an INVITE's SDP offers for audio, as far as a domain's {@code srtp} setting cares: how many active audio
 * streams are SDES-SRTP ({@code RTP/SAVP} or {@code RTP/SAVPF} with an {@code a=crypto} line at media or session
 * level) and how many are anything else. The B2BUA relays the SDP untouched, so a stream psip lets through is a
 * stream the far end may pick. Read by scanning lines, tolerant of odd SDP: unknown lines, bare LF, missing
 * fields and junk never throw, they only fail to count as SRTP.
 */
public record MediaOffer(int srtpStreams, int plainStreams) {

    /** No SDP at all (an INVITE without a body, a late offer): nothing offered, so nothing secure. */
    public static final MediaOffer NONE = new MediaOffer(0, 0);

    /** Bodies beyond this are not SDP a phone sends; reading stops there. */
    private static final int MAX_SCANNED = 16 * 1024;

    /** Every active audio stream is SDES-SRTP, and there is at least one. */
    public boolean srtpOnly() {
        return srtpStreams > 0 && plainStreams == 0;
    }

    public boolean offersSrtp() {
        return srtpStreams > 0;
    }

    /**
     * @param contentType the Content-Type value (type/subtype, parameters allowed), or null
     * @param body        the raw body, or null
     */
    public static MediaOffer of(String contentType, byte[] body) {
        if (body == null || body.length == 0 || contentType == null) {
            return NONE;
        }
        String type = contentType.trim().toLowerCase(Locale.ROOT);
        // SDP inside multipart/mixed or /alternative: its lines are scanned like a bare SDP's.
        if (!type.startsWith("application/sdp") && !type.startsWith("multipart/")) {
            return NONE;
        }
        String text = new String(body, 0, Math.min(body.length, MAX_SCANNED), StandardCharsets.ISO_8859_1);
        int[] tally = new int[2];
        boolean sessionCrypto = false;
        boolean inMedia = false;
        boolean audio = false;
        boolean secureProfile = false;
        boolean mediaCrypto = false;
        for (String raw : text.split("\r?\n|\r")) {
            String line = raw.trim();
            if (line.startsWith("m=")) {
                count(tally, audio, secureProfile && (mediaCrypto || sessionCrypto));
                inMedia = true;
                String[] fields = line.substring(2).trim().split("\\s+");
                // m=<media> <port> <proto> <fmt> ...; port 0 is a stream declined or disabled.
                audio = fields.length >= 3 && fields[0].equalsIgnoreCase("audio") && !fields[1].equals("0");
                secureProfile = fields.length >= 3 && (fields[2].equalsIgnoreCase("RTP/SAVP")
                        || fields[2].equalsIgnoreCase("RTP/SAVPF"));
                mediaCrypto = false;
            } else if (line.regionMatches(true, 0, "a=crypto:", 0, 9)) {
                if (inMedia) {
                    mediaCrypto = true;
                } else {
                    sessionCrypto = true;
                }
            }
        }
        count(tally, audio, secureProfile && (mediaCrypto || sessionCrypto));
        return new MediaOffer(tally[0], tally[1]);
    }

    /** Counts the stream just ended: {@code tally[0]} SDES-SRTP audio, {@code tally[1]} other audio. */
    private static void count(int[] tally, boolean audio, boolean sdesSrtp) {
        if (audio) {
            tally[sdesSrtp ? 0 : 1]++;
        }
    }
}
