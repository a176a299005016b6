package io.psip.webhook.application;

import io.psip.events.ApplicationChanged;
import io.psip.events.ChangeType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Applications by id, rebuilt from the compacted {@code psip.applications} topic. Version-idempotent: an older or
 * repeated version never overwrites a newer one; DELETED keeps the version (so a stale update cannot resurrect the
 * application) and a tombstone forgets the key.
 */
public class ApplicationTable {

    private static final Logger log = LoggerFactory.getLogger(ApplicationTable.class);

    /** A deleted application is kept as an entry without application until its tombstone. */
    private record Entry(long version, Application application) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** Applies one record of the topic; {@code changed} is null for a tombstone. */
    public void apply(String applicationId, ApplicationChanged changed) {
        if (changed == null) {
            entries.remove(applicationId);
            return;
        }
        entries.compute(applicationId, (id, current) -> {
            if (current != null && current.version() >= changed.getVersion()) {
                log.debug("ignoring application {} version {} (have {})", id, changed.getVersion(), current.version());
                return current;
            }
            Application application = changed.getChangeType() == ChangeType.DELETED ? null : Application.from(changed);
            return new Entry(changed.getVersion(), application);
        });
    }

    public Optional<Application> find(String applicationId) {
        if (applicationId == null) {
            return Optional.empty();
        }
        Entry entry = entries.get(applicationId);
        return entry == null ? Optional.empty() : Optional.ofNullable(entry.application());
    }

    public int size() {
        return (int) entries.values().stream().filter(e -> e.application() != null).count();
    }
}
