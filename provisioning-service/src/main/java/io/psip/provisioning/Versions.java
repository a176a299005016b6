package io.psip.provisioning;

/** Aggregate versions as HTTP entity tags: {@code "<version>"} (strong). */
public final class Versions {

    private Versions() {
    }

    public static String etag(long version) {
        return "\"" + version + "\"";
    }

    /**
     * Fails with 412 unless {@code ifMatch} is absent, {@code *}, or lists the current version. Clients that
     * never send If-Match (Vonage's SDKs) keep last-writer-wins semantics.
     */
    public static void checkIfMatch(String ifMatch, long currentVersion) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
            return;
        }
        String current = etag(currentVersion);
        for (String tag : ifMatch.split(",")) {
            String t = tag.trim();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals(current)) {
                return;
            }
        }
        throw new PreconditionFailedException("If-Match " + ifMatch.trim() + " does not match the current version " + current);
    }
}
