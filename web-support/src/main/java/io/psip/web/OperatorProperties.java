package io.psip.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The operator credential ({@code psip.operator.*}) that opens the actuator endpoints other than health and
 * prometheus, and a service's own operator paths (routing's tables). There is no default password: without one
 * those endpoints are refused to everyone.
 */
@ConfigurationProperties("psip.operator")
public record OperatorProperties(@DefaultValue("operator") String username, String password) {

    public boolean configured() {
        return password != null && !password.isEmpty();
    }

    @Override
    public String toString() {
        return "OperatorProperties[username=" + username + ", password " + (configured() ? "set" : "unset") + "]";
    }
}
