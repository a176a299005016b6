package io.psip.routing.table;

/** A voice application; routing only needs to know it exists and whose it is. */
public record Application(String id, long version, String accountId, String name) {
}
