package io.psip.routing.call;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class MediaOfferTest {

    private static final String SESSION = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n";
    private static final String CRYPTO = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"
            + "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVzcyAoc2VuZGluZ19jb2RlKSB7\r\n";

    @Test
    void sdesSrtpAudioWithCryptoIsSrtp() {
        MediaOffer offer = sdp(SESSION + "m=audio 6000 RTP/SAVP 0\r\n" + CRYPTO);
        assertThat(offer).isEqualTo(new MediaOffer(1, 0));
        assertThat(offer.srtpOnly()).isTrue();
        assertThat(sdp(SESSION + "m=audio 6000 RTP/SAVPF 0 101\r\n" + CRYPTO).srtpOnly()).isTrue();
        // a=crypto at session level covers every stream.
        assertThat(sdp(SESSION + CRYPTO + "m=audio 6000 RTP/SAVP 0\r\n").srtpOnly()).isTrue();
    }

    @Test
    void plainRtpOrASecureProfileWithoutCryptoIsNotSrtp() {
        assertThat(sdp(SESSION + "m=audio 6000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n"))
                .isEqualTo(new MediaOffer(0, 1));
        assertThat(sdp(SESSION + "m=audio 6000 RTP/SAVP 0\r\n").offersSrtp()).isFalse();
        // DTLS-SRTP is not SDES: no a=crypto, another profile.
        assertThat(sdp(SESSION + "m=audio 6000 UDP/TLS/RTP/SAVP 0\r\na=fingerprint:sha-256 AB:CD\r\n")
                .offersSrtp()).isFalse();
        // a=crypto on another stream does not make a plain one secure.
        assertThat(sdp(SESSION + "m=audio 6000 RTP/AVP 0\r\nm=audio 6002 RTP/SAVP 0\r\n" + CRYPTO))
                .isEqualTo(new MediaOffer(1, 1));
    }

    @Test
    void onlyActiveAudioStreamsCount() {
        assertThat(sdp(SESSION + "m=audio 0 RTP/AVP 0\r\nm=audio 6000 RTP/SAVP 0\r\n" + CRYPTO).srtpOnly()).isTrue();
        assertThat(sdp(SESSION + "m=video 6002 RTP/AVP 96\r\nm=audio 6000 RTP/SAVP 0\r\n" + CRYPTO).srtpOnly())
                .isTrue();
        assertThat(sdp(SESSION + "m=video 6002 RTP/SAVP 96\r\n" + CRYPTO)).isEqualTo(MediaOffer.NONE);
    }

    @Test
    void noBodyOrNoSdpIsNone() {
        assertThat(MediaOffer.of(null, null)).isEqualTo(MediaOffer.NONE);
        assertThat(MediaOffer.of("application/sdp", new byte[0])).isEqualTo(MediaOffer.NONE);
        assertThat(MediaOffer.of(null, "m=audio 6000 RTP/SAVP 0\r\n".getBytes())).isEqualTo(MediaOffer.NONE);
        assertThat(MediaOffer.of("text/plain", ("m=audio 6000 RTP/SAVP 0\r\n" + CRYPTO).getBytes()))
                .isEqualTo(MediaOffer.NONE);
    }

    @Test
    void oddSdpNeverThrows() {
        assertThat(sdp("m=\r\nm=audio\r\nm=audio 6000\r\na=crypto:\r\n\u0000\u00ff garbage\n\r")).isNotNull();
        // Bare LF, upper case type, parameters, trailing blanks.
        assertThat(MediaOffer.of(" Application/SDP; charset=x ", ("v=0\nm=audio 6000 rtp/savp 0 \na=CRYPTO:1 x\n")
                .getBytes(StandardCharsets.ISO_8859_1)).srtpOnly()).isTrue();
        // SDP inside a multipart body.
        assertThat(MediaOffer.of("multipart/mixed;boundary=b", ("--b\r\nContent-Type: application/sdp\r\n\r\n"
                + SESSION + "m=audio 6000 RTP/SAVP 0\r\n" + CRYPTO + "--b--\r\n").getBytes()).srtpOnly()).isTrue();
    }

    private static MediaOffer sdp(String body) {
        return MediaOffer.of("application/sdp", body.getBytes(StandardCharsets.ISO_8859_1));
    }
}
