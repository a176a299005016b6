package io.psip.voice.calls;

import java.time.Instant;
import java.util.Optional;

/**
 * Vonage's {@code GET /v1/calls} filters: status, a window on when the call was first seen ({@code date_start}
 * inclusive, {@code date_end} exclusive; the answer time would move a call between pages as it is answered),
 * conversation, a page of {@code pageSize} from {@code recordIndex}, in that time's ascending or descending order.
 */
public record CallQuery(Optional<String> status, Optional<Instant> dateStart, Optional<Instant> dateEnd,
                        Optional<String> conversationUuid, int pageSize, int recordIndex, boolean descending) {
}
