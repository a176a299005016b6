package io.psip.voice.application;

import io.psip.events.ApplicationChanged;
import io.psip.events.ChangeType;
import io.psip.schemas.kafka.VersionedTable;

import java.util.Optional;

/**
 * Application keys by application id, rebuilt from the compacted {@code psip.applications} topic with the
 * version-idempotent {@link VersionedTable}: an older version never overwrites a newer one, and a deleted
 * application's tokens are refused from the moment its DELETED change is read.
 */
public class ApplicationKeys {

    private final VersionedTable<ApplicationKey> keys = new VersionedTable<>();

    /** Applies one record of the topic; {@code changed} is null for a tombstone. */
    public void apply(String applicationId, ApplicationChanged changed) {
        if (changed == null) {
            keys.tombstone(applicationId);
        } else if (changed.getChangeType() == ChangeType.DELETED) {
            keys.delete(applicationId, changed.getVersion());
        } else {
            keys.upsert(applicationId, changed.getVersion(), ApplicationKey.from(changed));
        }
    }

    public Optional<ApplicationKey> find(String applicationId) {
        return applicationId == null ? Optional.empty() : keys.get(applicationId);
    }

    public int size() {
        return (int) keys.size();
    }

    public long maxVersion() {
        return keys.maxVersion();
    }
}
