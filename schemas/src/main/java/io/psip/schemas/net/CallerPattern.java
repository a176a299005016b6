package io.psip.schemas.net;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of a domain's {@code allowed_callers} list: a caller number ({@code +442079460000} or
 * {@code 442079460000}: E.164, 7 to 15 digits, no leading 0) or a prefix of one ({@code +4420*}: 1 to 14 digits
 * and a trailing {@code *}). Nothing else: no inner wildcards, separators or ranges, so what an operator reads is
 * what routing matches. It is matched against the caller as numbers are stored elsewhere, E.164 without the +;
 * provisioning publishes only that normal form ({@link #toString()}).
 */
public final class CallerPattern {

    /** How many entries a domain may list. */
    public static final int MAX_ENTRIES = 100;

    private static final Pattern NUMBER = Pattern.compile("\\+?([1-9]\\d{6,14})");
    private static final Pattern PREFIX = Pattern.compile("\\+?([1-9]\\d{0,13})\\*");

    private final String digits;
    private final boolean prefix;

    private CallerPattern(String digits, boolean prefix) {
        this.digits = digits;
        this.prefix = prefix;
    }

    /** Parses one entry; throws IllegalArgumentException, with a reason fit for an API client, otherwise. */
    public static CallerPattern parse(String entry) {
        if (entry == null || entry.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
        Matcher number = NUMBER.matcher(entry);
        if (number.matches()) {
            return new CallerPattern(number.group(1), false);
        }
        Matcher prefix = PREFIX.matcher(entry);
        if (prefix.matches()) {
            return new CallerPattern(prefix.group(1), true);
        }
        throw new IllegalArgumentException("must be an E.164 number (7-15 digits, optional leading +, no leading 0)"
                + " or a prefix of one ending in * (1-14 digits)");
    }

    /** Whether {@code callerNumber}, E.164 without the +, is this number or starts with this prefix. */
    public boolean matches(String callerNumber) {
        return prefix ? callerNumber.startsWith(digits) : callerNumber.equals(digits);
    }

    /** The normal form, as published on {@code psip.domains}: digits without +, and * for a prefix. */
    @Override
    public String toString() {
        return prefix ? digits + "*" : digits;
    }
}
