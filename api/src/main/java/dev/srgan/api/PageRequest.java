package dev.srgan.api;

import dev.srgan.core.errors.ApiException;

/**
 * A page of a list endpoint ({@code ?page=&size=}), checked the same way by each: 400 naming
 * {@code page} below 0, or {@code size} outside 1 to {@value #MAX_SIZE}.
 */
public record PageRequest(int page, int size) {
    /** The largest page any list endpoint answers. */
    public static final int MAX_SIZE = 200;

    /** The page asked for, with {@code defaultSize} when no size is given. */
    public static PageRequest of(Integer page, Integer size, int defaultSize) {
        int p = page == null ? 0 : page;
        int s = size == null ? defaultSize : size;
        if (p < 0) {
            throw ApiException.badRequest("page", "page must be 0 or more");
        }
        if (s < 1 || s > MAX_SIZE) {
            throw ApiException.badRequest("size", "size must be from 1 to " + MAX_SIZE);
        }
        return new PageRequest(p, s);
    }
}
