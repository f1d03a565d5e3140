package dev.dispatch.domain.message;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The headers every provider adds besides the addressing ones: RFC 8058 one-click unsubscribe and the
 * {@code X-Dispatch-*} correlation headers that come back in provider events ({@code campaignId} as
 * X-Dispatch-Campaign, {@code recipient} as X-Dispatch-Recipient, {@code variant} as X-Dispatch-Variant,
 * {@code batchId} as X-Dispatch-Batch, any other key as X-Dispatch-&lt;key&gt;).
 */
public final class MessageHeaders {
    public static final String LIST_UNSUBSCRIBE = "List-Unsubscribe";
    public static final String LIST_UNSUBSCRIBE_POST = "List-Unsubscribe-Post";
    public static final String ONE_CLICK = "List-Unsubscribe=One-Click";

    private static final Map<String, String> NAMES = Map.of(
            OutgoingMessage.CAMPAIGN_ID, "X-Dispatch-Campaign",
            OutgoingMessage.RECIPIENT, "X-Dispatch-Recipient",
            OutgoingMessage.VARIANT, "X-Dispatch-Variant",
            OutgoingMessage.BATCH_ID, "X-Dispatch-Batch");

    private MessageHeaders() {}

    /** Header name to value, in a stable order; every value checked to be a single line. */
    public static Map<String, String> of(OutgoingMessage message) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(LIST_UNSUBSCRIBE, singleLine(LIST_UNSUBSCRIBE, "<" + message.unsubscribeUrl() + ">"));
        headers.put(LIST_UNSUBSCRIBE_POST, ONE_CLICK);
        for (Map.Entry<String, String> entry : message.correlation().entrySet()) {
            String name = headerName(entry.getKey());
            headers.put(name, singleLine(name, entry.getValue()));
        }
        return headers;
    }

    public static String headerName(String correlationKey) {
        String known = NAMES.get(correlationKey);
        return known != null ? known : "X-Dispatch-" + correlationKey;
    }

    /**
     * The last guard against header injection, whatever built the value: a header value with a CR, LF or other
     * control character is refused.
     */
    public static String singleLine(String name, String value) {
        if (value == null) {
            throw new IllegalArgumentException("header " + name + " has no value");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || (Character.isISOControl(c) && c != '\t') || c == '\u2028' || c == '\u2029') {
                throw new IllegalArgumentException("header " + name + " must be a single line");
            }
        }
        return value;
    }
}
