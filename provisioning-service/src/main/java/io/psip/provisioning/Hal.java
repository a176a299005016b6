package io.psip.provisioning;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * HAL {@code _links} as Vonage writes them: hrefs relative to the API host, every page link naming both
 * {@code page} and {@code page_size}. SDKs page by them (the Node SDK's list-all stops where {@code next} is absent).
 */
public final class Hal {

    private Hal() {
    }

    public record Link(String href) {
    }

    /** The links of a single resource. */
    public record SelfLink(Link self) {

        public static SelfLink of(String path) {
            return new SelfLink(new Link(path));
        }
    }

    /** The links of one page of a list: {@code next} and {@code prev} only where such a page exists. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PageLinks(Link self, Link first, Link last, Link next, Link prev) {

        public static PageLinks of(String path, Paging paging, long totalItems) {
            int last = Math.max(1, paging.totalPages(totalItems));
            int page = paging.page();
            return new PageLinks(page(path, paging, page), page(path, paging, 1), page(path, paging, last),
                    page < last ? page(path, paging, page + 1) : null,
                    page > 1 ? page(path, paging, Math.min(page - 1, last)) : null);
        }

        private static Link page(String path, Paging paging, int page) {
            return new Link(path + "?page=" + page + "&page_size=" + paging.pageSize());
        }
    }
}
