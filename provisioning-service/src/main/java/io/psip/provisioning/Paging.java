package io.psip.provisioning;

import io.psip.provisioning.InvalidRequestException.InvalidParameter;

import java.util.ArrayList;
import java.util.List;

/** Vonage-style paging: {@code page} starts at 1, {@code page_size} 1-100 (default 10) unless a list says otherwise. */
public record Paging(int page, int pageSize) {

    public static Paging of(Integer page, Integer pageSize) {
        return of(page, pageSize, 100);
    }

    public static Paging of(Integer page, Integer pageSize, int maxPageSize) {
        List<InvalidParameter> errors = new ArrayList<>();
        int p = page == null ? 1 : page;
        int size = pageSize == null ? 10 : pageSize;
        if (p < 1) {
            errors.add(new InvalidParameter("page", "must be at least 1"));
        }
        if (size < 1 || size > maxPageSize) {
            errors.add(new InvalidParameter("page_size", "must be between 1 and " + maxPageSize));
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        return new Paging(p, size);
    }

    public int offset() {
        return (page - 1) * pageSize;
    }

    public int totalPages(long totalItems) {
        return (int) ((totalItems + pageSize - 1) / pageSize);
    }

    /** One page of a tenant's resources and how many there are in all. */
    public record Slice<T>(List<T> items, long total) {
    }
}
