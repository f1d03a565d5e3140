package dev.dispatch.domain.engagement;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A webhook HTTP request as received, before anything is trusted: headers (looked up case-insensitively), the raw
 * body bytes exactly as they arrived (signatures are computed over them, never over re-serialized JSON), the query
 * parameters and the time it was received.
 */
public record WebhookRequest(Map<String, String> headers, byte[] body, Map<String, String> queryParameters,
        Instant receivedAt) {

    public WebhookRequest {
        headers = caseInsensitiveCopy(headers);
        queryParameters = queryParameters == null ? Map.of() : Map.copyOf(queryParameters);
        body = body == null ? new byte[0] : body.clone();
        Objects.requireNonNull(receivedAt, "receivedAt");
    }

    public static WebhookRequest of(Map<String, String> headers, String body, Instant receivedAt) {
        return new WebhookRequest(headers, body.getBytes(StandardCharsets.UTF_8), Map.of(), receivedAt);
    }

    /** A copy of the raw body bytes. */
    @Override
    public byte[] body() {
        return body.clone();
    }

    public int bodyLength() {
        return body.length;
    }

    /** The header's value (any case of its name), or null. */
    public String header(String name) {
        return headers.get(name);
    }

    public String queryParameter(String name) {
        return queryParameters.get(name);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof WebhookRequest that && headers.equals(that.headers)
                && java.util.Arrays.equals(body, that.body) && queryParameters.equals(that.queryParameters)
                && receivedAt.equals(that.receivedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(headers, java.util.Arrays.hashCode(body), queryParameters, receivedAt);
    }

    /** Never prints the body or header values (they hold addresses and credentials). */
    @Override
    public String toString() {
        return "WebhookRequest[headers=" + headers.keySet() + ", bodyLength=" + body.length + ", receivedAt="
                + receivedAt + "]";
    }

    private static Map<String, String> caseInsensitiveCopy(Map<String, String> given) {
        TreeMap<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (given != null) {
            given.forEach((name, value) -> {
                if (name != null && value != null) {
                    copy.put(name, value);
                }
            });
        }
        return Collections.unmodifiableMap(copy);
    }
}
