package io.psip.routing.call;

import java.util.function.Supplier;

/**
 * What admission needs to know about an INVITE, free of any SIP stack types.
 *
 * @param requestUri    the Request-URI as received, for digest {@code uri} matching
 * @param requestUriUser its user part, without URI parameters such as {@code user=phone}; null when it has none
 * @param maxForwards   null when the header is absent
 * @param sourceAddress the packet's source IP (never Via)
 * @param authorization the Authorization header value, or null
 * @param secure        whether it arrived on a TLS connection (the socket's transport, never Via)
 * @param media         what its SDP offers ({@link MediaOffer#NONE} without a body), read only when the domain's
 *                      SRTP setting asks: parsing every INVITE's SDP on the SIP thread would be wasted otherwise
 * @param callerUser    the From URI's user part (a tel URL's number) as received; null when it has none
 */
public record InboundInvite(String requestUri, String requestUriUser, String requestUriHost, Integer maxForwards,
                            String sourceAddress, String authorization, boolean secure,
                            Supplier<MediaOffer> media, String callerUser) {
}
