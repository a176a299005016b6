package io.psip.voice.calls;

import java.util.List;
import java.util.Optional;

/** The call records store: the projection writes it, the API reads one tenant's records from it. */
public interface CallRecords {

    /** Merges one event into its call's record; false if the record already had this or a newer event. */
    boolean apply(CallRecordUpdate update);

    /** The account's call; empty for an unknown call and for another account's alike. */
    Optional<CallRecord> find(String accountId, String uuid);

    Page list(String accountId, CallQuery query);

    /** One page of records and how many match the query in all. */
    record Page(List<CallRecord> records, long total) {
    }
}
