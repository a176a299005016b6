package io.psip.webhook.ncco;

/** The answer is not a valid NCCO; it counts as a failed answer_url request (fallback applies). */
public class InvalidNccoException extends Exception {

    public InvalidNccoException(String message) {
        super(message);
    }
}
