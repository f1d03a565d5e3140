package dev.dispatch.adapter.webhook;

import static dev.dispatch.adapter.webhook.WebhookSupport.email;
import static dev.dispatch.adapter.webhook.WebhookSupport.optionalText;
import static dev.dispatch.adapter.webhook.WebhookSupport.text;
import static dev.dispatch.adapter.webhook.WebhookSupport.unixSeconds;

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
import java.security.KeyFactory;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * SendGrid's Event Webhook: a JSON array of events, signed (Signed Event Webhook) with ECDSA P-256 / SHA-256 over
 * the {@code X-Twilio-Email-Event-Webhook-Timestamp} header's bytes followed by the raw body bytes; the signature
 * (base64 DER) is in {@code X-Twilio-Email-Event-Webhook-Signature}. SendGrid doesn't check freshness, so the
 * timestamp must be within a replay window of the injected clock.
 *
 * <p>Types: processed → SENT, delivered, deferred, dropped, bounce → BOUNCED when SendGrid's {@code type} is
 * "bounce" and SOFT_BOUNCED when it is "blocked", open, click (with {@code url}), spamreport → COMPLAINED,
 * unsubscribe and group_unsubscribe → UNSUBSCRIBED; anything else (group_resubscribe, ...) → OTHER. Dedupe identity:
 * {@code sg_event_id}. Correlation: the message's {@code custom_args}, which SendGrid returns as top-level fields.
 */
public class SendGridWebhook implements ProviderWebhook {
    public static final String SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature";
    public static final String TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp";

    private final ECPublicKey publicKey;
    private final Duration replayWindow;
    private final int maxBodyBytes;
    private final Clock clock;

    /**
     * @param publicKey the Signed Event Webhook verification key: base64 X.509 SubjectPublicKeyInfo (a PEM
     *     "PUBLIC KEY" block is accepted too)
     * @param replayWindow how far the signed timestamp may be from now, either way
     * @param maxBodyBytes larger bodies are refused before anything else
     */
    public SendGridWebhook(String publicKey, Duration replayWindow, int maxBodyBytes, Clock clock) {
        this.publicKey = parsePublicKey(publicKey);
        this.replayWindow = WebhookSupport.checkedWindow(replayWindow);
        this.maxBodyBytes = WebhookSupport.checkedLimit(maxBodyBytes);
        this.clock = clock;
    }

    /** Defaults: a 5 minute replay window, 1 MiB bodies. */
    public SendGridWebhook(String publicKey, Clock clock) {
        this(publicKey, WebhookSupport.DEFAULT_REPLAY_WINDOW, WebhookSupport.DEFAULT_MAX_BODY_BYTES, clock);
    }

    @Override
    public String provider() {
        return "sendgrid";
    }

    @Override
    public WebhookResult receive(WebhookRequest request) {
        WebhookSupport.requireWithinLimit(request, maxBodyBytes);
        byte[] body = request.body();
        verify(request.header(SIGNATURE_HEADER), request.header(TIMESTAMP_HEADER), body);
        return WebhookResult.of(parse(body));
    }

    private void verify(String signatureHeader, String timestampHeader, byte[] body) {
        if (signatureHeader == null || signatureHeader.isBlank() || timestampHeader == null
                || timestampHeader.isBlank()) {
            throw WebhookAuthenticationException.missing("signature or timestamp header is missing");
        }
        WebhookSupport.freshTimestamp(timestampHeader, clock, replayWindow);
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(signatureHeader.strip());
        } catch (IllegalArgumentException e) {
            throw WebhookAuthenticationException.refused("signature is not base64");
        }
        boolean valid;
        try {
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(publicKey);
            // The header exactly as received, then the body exactly as received.
            verifier.update(timestampHeader.getBytes(StandardCharsets.UTF_8));
            verifier.update(body);
            valid = verifier.verify(signature);
        } catch (java.security.SignatureException e) {
            valid = false; // not a DER ECDSA signature
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ECDSA verification is unavailable", e);
        }
        if (!valid) {
            throw WebhookAuthenticationException.refused("signature does not verify");
        }
    }

    private List<EngagementEvent> parse(byte[] body) {
        JsonNode root = WebhookSupport.readJson(body, "body");
        if (!root.isArray()) {
            throw new MalformedWebhookException("body", "must be a JSON array of events");
        }
        List<EngagementEvent> events = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            events.add(event(root.get(i), "[" + i + "]."));
        }
        return events;
    }

    private EngagementEvent event(JsonNode node, String path) {
        if (!node.isObject()) {
            throw new MalformedWebhookException(path.substring(0, path.length() - 1), "must be an object");
        }
        String eventName = text(node, "event", path);
        String bounceKind = optionalText(node, "type", path);
        EngagementType type = type(eventName, bounceKind);
        EngagementEvent.Builder builder = EngagementEvent.builder(provider(), WebhookSupport.eventId(text(node, "sg_event_id", path), path + "sg_event_id"), type,
                        email(optionalText(node, "email", path), path + "email"), unixSeconds(node, "timestamp", path))
                .providerType(bounceKind != null && eventName.equals("bounce") ? "bounce/" + bounceKind : eventName)
                .detail(detail(node, path));
        if (type == EngagementType.CLICKED) {
            builder.url(optionalText(node, "url", path));
        }
        Correlation.from(key -> optionalText(node, key, path)).applyTo(builder);
        return builder.build();
    }

    static EngagementType type(String event, String bounceKind) {
        return switch (event.toLowerCase(Locale.ROOT)) {
            case "processed" -> EngagementType.SENT;
            case "delivered" -> EngagementType.DELIVERED;
            case "deferred" -> EngagementType.DEFERRED;
            case "dropped" -> EngagementType.DROPPED;
            // SendGrid's own classification: "bounce" is permanent, "blocked" is a temporary refusal.
            case "bounce" -> "blocked".equalsIgnoreCase(bounceKind) ? EngagementType.SOFT_BOUNCED : EngagementType.BOUNCED;
            case "blocked" -> EngagementType.SOFT_BOUNCED;
            case "open" -> EngagementType.OPENED;
            case "click" -> EngagementType.CLICKED;
            case "spamreport" -> EngagementType.COMPLAINED;
            case "unsubscribe", "group_unsubscribe" -> EngagementType.UNSUBSCRIBED;
            default -> EngagementType.OTHER;
        };
    }

    private static String detail(JsonNode node, String path) {
        String reason = optionalText(node, "reason", path);
        String response = optionalText(node, "response", path);
        String classification = optionalText(node, "bounce_classification", path);
        String text = reason != null ? reason : response;
        if (classification != null) {
            text = text == null ? classification : classification + ": " + text;
        }
        return text;
    }

    static ECPublicKey parsePublicKey(String configured) {
        if (configured == null || configured.isBlank()) {
            throw new IllegalArgumentException("SendGrid webhook public key is not configured");
        }
        String base64 = configured.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s+", "");
        try {
            var key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
            ECPublicKey ec = (ECPublicKey) key;
            if (ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new IllegalArgumentException("SendGrid webhook public key is not a P-256 key");
            }
            return ec;
        } catch (IllegalArgumentException | GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("SendGrid webhook public key is not a base64 X.509 EC public key", e);
        }
    }
}
