package io.psip.routing.call;

import io.psip.routing.table.Domain.DigestCredentials;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.psip.routing.call.DigestAuthenticator.hex;

/**
 * Benchmark harness, not a test: what digest verification of an INVITE costs while one domain keeps its replay
 * record full (every verify then also forgets its oldest nonce) and another domain authenticates beside it. Prints
 * microseconds per verify for an empty record and a full one; the record being O(1), they should match.
 * Run: {@code java -cp <test classpath> io.psip.routing.call.DigestReplayBench [verifies]}.
 */
public final class DigestReplayBench {

    private static final String URI = "sip:123@acme.sip-us.example.com";

    private DigestReplayBench() {
    }

    public static void main(String[] args) {
        int verifies = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        DigestAuthenticator digest = new DigestAuthenticator("bench-key-0123456789".getBytes(), Clock.systemUTC(),
                Duration.ofMinutes(5), List.of("MD5"), DigestAuthenticator.DEFAULT_NONCES_PER_REALM);
        Function<String, Optional<DigestCredentials>> users = name -> Optional.of(
                new DigestCredentials(name, hex("MD5", name + ":acme:pw"), null));
        run(digest, users, verifies / 10); // warm-up
        long started = System.nanoTime();
        int rejected = run(digest, users, DigestAuthenticator.DEFAULT_NONCES_PER_REALM);
        double fill = (System.nanoTime() - started) / 1e3 / DigestAuthenticator.DEFAULT_NONCES_PER_REALM;
        started = System.nanoTime();
        rejected += run(digest, users, verifies);
        double full = (System.nanoTime() - started) / 1e3 / verifies;
        System.out.printf("verify, record filling: %.2f us; record full (%d per domain, each verify evicts one):"
                + " %.2f us over %d verifies; refused: %d%n", fill, DigestAuthenticator.DEFAULT_NONCES_PER_REALM,
                full, verifies, rejected);
    }

    /** Challenges and authenticates {@code n} calls of acme, each on a fresh nonce; returns how many were refused. */
    private static int run(DigestAuthenticator digest, Function<String, Optional<DigestCredentials>> users, int n) {
        Pattern nonce = Pattern.compile("nonce=\"([^\"]+)\"");
        int refused = 0;
        for (int i = 0; i < n; i++) {
            Matcher m = nonce.matcher(digest.challenges("acme", false).get(0));
            m.find();
            String ha1 = hex("MD5", "alice:acme:pw");
            String response = hex("MD5", ha1 + ":" + m.group(1) + ":00000001:c:auth:" + hex("MD5", "INVITE:" + URI));
            String header = "Digest username=\"alice\", realm=\"acme\", nonce=\"" + m.group(1) + "\", uri=\"" + URI
                    + "\", response=\"" + response + "\", cnonce=\"c\", qop=auth, nc=00000001";
            if (digest.verify("INVITE", URI, header, "acme", users) != DigestAuthenticator.Outcome.ACCEPTED) {
                refused++;
            }
        }
        return refused;
    }
}
