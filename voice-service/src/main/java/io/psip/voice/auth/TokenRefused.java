package io.psip.voice.auth;

/**
 * A bearer token that does not authenticate its caller, with the reason it is answered with. {@code unavailable}:
 * the token may be fine but cannot be checked now (the replay guard is full), a 503 rather than a 401.
 */
public class TokenRefused extends Exception {

    private final boolean unavailable;

    public TokenRefused(String reason) {
        this(reason, false);
    }

    public TokenRefused(String reason, boolean unavailable) {
        super(reason, null, false, false);
        this.unavailable = unavailable;
    }

    public boolean unavailable() {
        return unavailable;
    }
}
