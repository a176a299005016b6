package io.psip.schemas.kafka;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class VersionedTableTest {

    private final VersionedTable<String> table = new VersionedTable<>();

    @Test
    void newerVersionReplacesOlder() {
        assertThat(table.upsert("k", 1, "one")).isTrue();
        assertThat(table.upsert("k", 2, "two")).isTrue();
        assertThat(table.get("k")).contains("two");
    }

    @Test
    void olderOrRepeatedVersionChangesNothing() {
        table.upsert("k", 5, "five");
        assertThat(table.upsert("k", 4, "four")).isFalse();
        assertThat(table.upsert("k", 5, "other five")).isFalse();
        assertThat(table.get("k")).contains("five");
    }

    @Test
    void deletedEntryCannotBeResurrectedByAnOlderVersion() {
        table.upsert("k", 1, "one");
        assertThat(table.delete("k", 2)).isTrue();
        assertThat(table.get("k")).isEmpty();
        assertThat(table.upsert("k", 1, "one again")).isFalse();
        assertThat(table.get("k")).isEmpty();
        assertThat(table.upsert("k", 3, "recreated")).isTrue();
        assertThat(table.get("k")).contains("recreated");
    }

    @Test
    void tombstoneRemovesWhateverTheVersion() {
        table.upsert("k", 9, "nine");
        table.tombstone("k");
        assertThat(table.get("k")).isEmpty();
        assertThat(table.size()).isZero();
    }

    @Test
    void sizeCountsLiveEntriesOnly() {
        table.upsert("a", 1, "a");
        table.upsert("b", 1, "b");
        table.delete("b", 2);
        assertThat(table.size()).isEqualTo(1);
    }
}
