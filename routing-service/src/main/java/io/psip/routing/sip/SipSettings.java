package io.psip.routing.sip;

import java.time.Duration;

/**
 * How the SIP edge listens and works.
 *
 * @param maxMessageSize  bytes; bounds the buffer every queued packet holds (the RI default of 64 KB let a burst
 *                        exhaust the heap)
 * @param lanes           worker lanes for call work; a call always uses the same lane
 * @param laneQueue       queued tasks per lane before new calls get 503
 * @param commandTimeout  how long an offered call waits for its command before it fails with 480
 */
public record SipSettings(String bindAddress, int port, int maxMessageSize, int lanes, int laneQueue,
                          Duration commandTimeout) {
}
