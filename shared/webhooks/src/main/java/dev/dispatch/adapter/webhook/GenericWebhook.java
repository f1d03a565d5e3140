package dev.dispatch.adapter.webhook;

import static dev.dispatch.adapter.webhook.WebhookSupport.email;
import static dev.dispatch.adapter.webhook.WebhookSupport.optionalText;
import static dev.dispatch.adapter.webhook.WebhookSupport.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementType;
import dev.dispatch.domain.engagement.MalformedWebhookException;
import dev.dispatch.domain.engagement.ProviderWebhook;
import dev.dispatch.domain.engagement.WebhookAuthenticationException;
import dev.dispatch.domain.engagement.WebhookRequest;
import dev.dispatch.domain.engagement.WebhookResult;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The platform's own webhook format, for providers without a dedicated adapter and for testing.
 *
 * <h2>Request</h2>
 * {@code POST /webhooks/generic}, {@code Content-Type: application/json}, body a JSON array of events:
 * <pre>{@code
 * [
 *   {"id": "evt-0001", "type": "clicked", "email": "ada@example.com", "timestamp": "2026-12-01T10:00:00Z",
 *    "campaignId": "cmp-42", "variant": "A", "url": "https://example.com/offer", "reason": null}
 * ]
 * }</pre>
 * <ul>
 *   <li>{@code id} (required, string, at most 1024 characters): the event's unique identity; a repeat with the
 *       same id is a duplicate.</li>
 *   <li>{@code type} (required): one of {@code delivered, opened, clicked, bounced} (hard), {@code soft_bounced,
 *       complained, unsubscribed, deferred, dropped, sent, rejected, rendering_failure} (any case); any other
 *       value is accepted and counted as OTHER.</li>
 *   <li>{@code email} (required): the recipient address.</li>
 *   <li>{@code timestamp} (required): when it happened, ISO-8601 with an offset or Z, or unix seconds (number).</li>
 *   <li>{@code campaignId}, {@code variant}, {@code recipientKey}, {@code batchId} (optional): the correlation
 *       data of the message; {@code url} (optional, clicks); {@code reason} (optional, a short text).</li>
 * </ul>
 *
 * <h2>Authentication</h2>
 * Header {@code X-Dispatch-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>}, where the HMAC is computed with the
 * shared secret over the bytes of {@code "<t>.<raw body>"}. {@code t} must be within the replay window (default
 * 5 minutes) of now. Several {@code v1=} entries may be given (e.g. while rotating secrets); one must match.
 * Example: {@code printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac "$secret" -hex}.
 */
public class GenericWebhook implements ProviderWebhook {
    public static final String SIGNATURE_HEADER = "X-Dispatch-Signature";
    private static final int MAX_SIGNATURE_ENTRIES = 8;

    private final SecretKeySpec key;
    private final Duration replayWindow;
    private final int maxBodyBytes;
    private final Clock clock;

    public GenericWebhook(String secret, Duration replayWindow, int maxBodyBytes, Clock clock) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("generic webhook secret must be at least 16 characters");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.replayWindow = WebhookSupport.checkedWindow(replayWindow);
        this.maxBodyBytes = WebhookSupport.checkedLimit(maxBodyBytes);
        this.clock = clock;
    }

    public GenericWebhook(String secret, Clock clock) {
        this(secret, WebhookSupport.DEFAULT_REPLAY_WINDOW, WebhookSupport.DEFAULT_MAX_BODY_BYTES, clock);
    }

    @Override
    public String provider() {
        return "generic";
    }

    @Override
    public WebhookResult receive(WebhookRequest request) {
        WebhookSupport.requireWithinLimit(request, maxBodyBytes);
        byte[] body = request.body();
        verify(request.header(SIGNATURE_HEADER), body);
        return WebhookResult.of(parse(body));
    }

    /** The header value for a body signed at {@code t} (for senders and tests). */
    public String sign(long t, byte[] body) {
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac(t, body));
    }

    private void verify(String header, byte[] body) {
        if (header == null || header.isBlank()) {
            throw WebhookAuthenticationException.missing(SIGNATURE_HEADER + " is missing");
        }
        String timestamp = null;
        List<String> signatures = new ArrayList<>();
        String[] parts = header.split(",", MAX_SIGNATURE_ENTRIES + 2);
        if (parts.length > MAX_SIGNATURE_ENTRIES + 1) {
            throw WebhookAuthenticationException.refused(SIGNATURE_HEADER + " has too many entries");
        }
        for (String part : parts) {
            String entry = part.strip();
            if (entry.startsWith("t=") && timestamp == null) {
                timestamp = entry.substring(2);
            } else if (entry.startsWith("v1=")) {
                signatures.add(entry.substring(3));
            }
        }
        if (timestamp == null || signatures.isEmpty()) {
            throw WebhookAuthenticationException.refused(SIGNATURE_HEADER + " needs t= and v1=");
        }
        Instant signedAt = WebhookSupport.freshTimestamp(timestamp, clock, replayWindow);
        byte[] expected = mac(signedAt.getEpochSecond(), body);
        if (!timestamp.strip().equals(Long.toString(signedAt.getEpochSecond()))) {
            // "t=0042" would be signed as "0042." by the sender but recomputed as "42.": refuse, don't guess.
            throw WebhookAuthenticationException.refused("timestamp is not canonical unix seconds");
        }
        boolean match = false;
        for (String signature : signatures) {
            byte[] presented;
            try {
                presented = HexFormat.of().parseHex(signature.strip().toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                presented = new byte[0];
            }
            // Both sides are 32-byte MACs when well formed; isEqual doesn't stop at the first differing byte.
            match |= presented.length == expected.length && MessageDigest.isEqual(presented, expected);
        }
        if (!match) {
            throw WebhookAuthenticationException.refused("signature does not verify");
        }
    }

    private byte[] mac(long t, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    private List<EngagementEvent> parse(byte[] body) {
        JsonNode root = WebhookSupport.readJson(body, "body");
        if (!root.isArray()) {
            throw new MalformedWebhookException("body", "must be a JSON array of events");
        }
        List<EngagementEvent> events = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            String path = "[" + i + "].";
            JsonNode node = root.get(i);
            if (!node.isObject()) {
                throw new MalformedWebhookException("[" + i + "]", "must be an object");
            }
            String typeName = text(node, "type", path);
            EngagementType type = type(typeName);
            EngagementEvent.Builder builder = EngagementEvent.builder(provider(),
                            WebhookSupport.eventId(text(node, "id", path), path + "id"), type,
                            email(optionalText(node, "email", path), path + "email"), timestamp(node, path))
                    .providerType(typeName)
                    .detail(optionalText(node, "reason", path))
                    .url(optionalText(node, "url", path));
            Correlation.from(k -> optionalText(node, k, path)).applyTo(builder);
            events.add(builder.build());
        }
        return events;
    }

    static EngagementType type(String name) {
        String key = name.strip().toUpperCase(Locale.ROOT);
        for (EngagementType type : EngagementType.values()) {
            if (type.name().equals(key)) {
                return type;
            }
        }
        return EngagementType.OTHER;
    }

    private static Instant timestamp(JsonNode node, String path) {
        JsonNode value = node.get("timestamp");
        if (value != null && value.isNumber()) {
            return WebhookSupport.unixSeconds(node, "timestamp", path);
        }
        return WebhookSupport.isoInstant(optionalText(node, "timestamp", path), path + "timestamp");
    }
}
