package io.psip.admin;

/** The command line is wrong: exit 2, with the message and where to find the usage. */
final class UsageException extends RuntimeException {

    private final String command;

    UsageException(String command, String message) {
        super(message);
        this.command = command;
    }

    /** The command whose help to point at; null for the global help. */
    String command() {
        return command;
    }
}
