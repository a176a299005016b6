package io.psip.routing.call;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replay record of digest authentication: per realm (one per domain), the highest nonce-count accepted for
 * each nonce still in use. Each realm holds at most {@code perRealm} nonces, so one tenant filling its record
 * cannot lock out another. When a realm's record is full its oldest nonce is forgotten, and with it every nonce
 * issued no later than that one: such a nonce, not in the record, may have been used, so it is refused as stale
 * (the caller is challenged again) instead of accepted twice. Every use costs O(1), never a scan.
 */
final class NonceCounts {

    enum Use { ACCEPTED, REPLAYED, FORGOTTEN }

    private final int perRealm;
    private final long lifetimeMillis;
    private final Map<String, Realm> realms = new ConcurrentHashMap<>();

    NonceCounts(int perRealm, long lifetimeMillis) {
        if (perRealm < 1) {
            throw new IllegalArgumentException("the replay record needs room for at least one nonce per realm");
        }
        this.perRealm = perRealm;
        this.lifetimeMillis = lifetimeMillis;
    }

    /** Records nonce-count {@code nc} of a valid, unexpired {@code nonce} issued at {@code issuedAt}. */
    Use use(String realm, String nonce, long issuedAt, long nc, long now) {
        return realms.computeIfAbsent(realm, r -> new Realm()).use(nonce, issuedAt, nc, now);
    }

    /** Nonces tracked for {@code realm}, for tests. */
    int size(String realm) {
        Realm r = realms.get(realm);
        return r == null ? 0 : r.size();
    }

    private final class Realm {
        /** nonce → {issued at, highest nonce-count accepted}, in order of first use. */
        private final LinkedHashMap<String, long[]> counts = new LinkedHashMap<>();
        /** Nonces issued at or before this were forgotten to make room: one missing from the record may be used. */
        private long forgottenUpTo = Long.MIN_VALUE;

        synchronized Use use(String nonce, long issuedAt, long nc, long now) {
            dropExpiredHead(now);
            long[] entry = counts.get(nonce);
            if (entry != null) {
                if (nc <= entry[1]) {
                    return Use.REPLAYED;
                }
                entry[1] = nc;
                return Use.ACCEPTED;
            }
            if (issuedAt <= forgottenUpTo) {
                return Use.FORGOTTEN;
            }
            if (counts.size() >= perRealm) {
                Iterator<long[]> oldest = counts.values().iterator();
                forgottenUpTo = Math.max(forgottenUpTo, oldest.next()[0]);
                oldest.remove();
            }
            counts.put(nonce, new long[] {issuedAt, nc});
            return Use.ACCEPTED;
        }

        /** Expired nonces are refused before they get here, so they can leave; first use roughly follows issue. */
        private void dropExpiredHead(long now) {
            Iterator<long[]> it = counts.values().iterator();
            while (it.hasNext()) {
                long issuedAt = it.next()[0];
                if (now - issuedAt <= lifetimeMillis) {
                    return;
                }
                it.remove();
            }
        }

        synchronized int size() {
            return counts.size();
        }
    }
}
