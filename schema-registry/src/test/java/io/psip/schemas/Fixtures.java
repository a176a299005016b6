package io.psip.schemas;

import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.ChangeType;
import io.psip.events.ConnectSip;
import io.psip.events.DomainChanged;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Sample events for tests of the serde and readers. */
public final class Fixtures {

    private Fixtures() {
    }

    public static DomainChanged domain(String name, long version) {
        return DomainChanged.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setVersion(version)
                .setOccurredAt(Instant.ofEpochMilli(1_760_000_000_000L + version))
                .setChangeType(version == 1 ? ChangeType.CREATED : ChangeType.UPDATED)
                .setName(name)
                .setAccountId("acc-1")
                .setApplicationId("app-" + name)
                .setAcl(List.of("192.0.2.0/24"))
                .setDigestAuth(false)
                .setDigestUsers(List.of())
                .build();
    }

    public static CallCommand connect(String callUuid) {
        return CallCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.ofEpochMilli(1_760_000_000_000L))
                .setCallUuid(callUuid)
                .setRegion("eu")
                .setInstanceId("routing-eu-1")
                .setAction(CallAction.CONNECT)
                .setConnect(ConnectSip.newBuilder().setUri("sip:bob@192.0.2.10").setHeaders(Map.of("UserId", "ABC123")).build())
                .build();
    }
}
