package io.psip.provisioning;

/** The resource does not exist or belongs to another tenant (both answer 404, so ids cannot be probed). */
public class NotFoundException extends RuntimeException {

    public NotFoundException(String what) {
        super(what);
    }
}
