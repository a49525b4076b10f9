package dev.srgan.core.http;

import dev.srgan.core.errors.ApiException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * URLs a submitter gives the api to call or fetch (a webhook, an image): checked the same way for
 * each field, and allowed only on the hosts an admin listed for it ({@code *} for any), so a token
 * cannot make the api reach into the cluster's own network.
 */
public final class OutboundUrls {
    /** The longest URL taken. */
    public static final int MAX_LENGTH = 2000;

    private OutboundUrls() {}

    /**
     * The URL in {@code text}; 400 naming {@code field} for text over {@link #MAX_LENGTH}, not a
     * URL, not http(s) with a host, or carrying a user name and password.
     */
    public static URI parse(String text, String field) {
        String trimmed = text == null ? "" : text.trim();
        if (trimmed.length() > MAX_LENGTH) {
            throw ApiException.badRequest(field, field + " is over " + MAX_LENGTH + " characters");
        }
        URI url;
        try {
            url = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw ApiException.badRequest(field, field + " is not a URL: " + e.getMessage());
        }
        if (!isHttp(url)) {
            throw ApiException.badRequest(
                    field, field + " must be an http:// or https:// URL with a host, got '" + trimmed + "'");
        }
        if (url.getUserInfo() != null) {
            throw ApiException.badRequest(field, field + " must not carry a user name or password");
        }
        return url;
    }

    /** Whether the URL is http:// or https:// with a host. */
    public static boolean isHttp(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        return (scheme.equals("http") || scheme.equals("https")) && url.getHost() != null;
    }

    /** Whether {@code hosts} (exact names or addresses, any case, or {@code *}) lets the api reach the URL's host. */
    public static boolean allows(List<String> hosts, URI url) {
        String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
        for (String allowed : hosts) {
            String a = allowed.trim().toLowerCase(Locale.ROOT);
            if (a.equals("*") || a.equals(host)) {
                return true;
            }
        }
        return false;
    }
}
