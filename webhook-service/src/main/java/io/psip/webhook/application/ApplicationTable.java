package io.psip.webhook.application;

import io.psip.events.ApplicationChanged;
import io.psip.events.ChangeType;
import io.psip.schemas.kafka.VersionedTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Applications by id, rebuilt from the compacted {@code psip.applications} topic with the version-idempotent
 * {@link VersionedTable}: an older or repeated version never overwrites a newer one, DELETED keeps the version
 * (so a stale update cannot resurrect the application) and a tombstone forgets the key.
 */
public class ApplicationTable {

    private static final Logger log = LoggerFactory.getLogger(ApplicationTable.class);

    private final VersionedTable<Application> applications = new VersionedTable<>();

    /** Applies one record of the topic; {@code changed} is null for a tombstone. */
    public void apply(String applicationId, ApplicationChanged changed) {
        if (changed == null) {
            applications.tombstone(applicationId);
            return;
        }
        boolean applied = changed.getChangeType() == ChangeType.DELETED
                ? applications.delete(applicationId, changed.getVersion())
                : applications.upsert(applicationId, changed.getVersion(), Application.from(changed));
        if (!applied) {
            log.debug("ignoring application {} version {} (have a newer or equal one)", applicationId, changed.getVersion());
        }
    }

    public Optional<Application> find(String applicationId) {
        return applicationId == null ? Optional.empty() : applications.get(applicationId);
    }

    public int size() {
        return (int) applications.size();
    }

    /** The newest version held (the admin view shows how far the table has come). */
    public long maxVersion() {
        return applications.maxVersion();
    }
}
