package dev.dispatch.adapter.webhook;

import static dev.dispatch.adapter.webhook.WebhookSupport.email;
import static dev.dispatch.adapter.webhook.WebhookSupport.isoInstant;
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
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Postmark webhooks: one JSON object per request. Postmark doesn't sign payloads, so the request must carry
 * either the configured Basic credentials (put in the webhook URL as {@code https://user:password@host/...}) or
 * the configured custom header with its token; both are compared in constant time.
 *
 * <p>RecordType: Delivery; Bounce, classified by {@code Type} (HardBounce, BadEmailAddress, ManuallyDeactivated →
 * BOUNCED; SoftBounce, Transient, DnsError, Blocked, SpamNotification, DMARCPolicy, Unknown and other
 * delivery failures → SOFT_BOUNCED; Unsubscribe → UNSUBSCRIBED; SpamComplaint → COMPLAINED;
 * TemplateRenderingFailed → RENDERING_FAILURE; AutoResponder, AddressChange and other notices → OTHER);
 * SpamComplaint; Open; Click (with {@code OriginalLink}); SubscriptionChange, which is UNSUBSCRIBED when
 * {@code SuppressSending} is true for a manual suppression (the usual unsubscribe) and OTHER otherwise: a
 * suppression caused by a hard bounce or a spam complaint already arrived as that Bounce or SpamComplaint record
 * and would otherwise count twice. Identity: RecordType, ID or MessageID, recipient, and for opens, clicks and
 * subscription changes their own time (one message can be opened many times). Correlation: {@code Metadata},
 * with {@code Tag} (the campaign id) as fallback.
 */
public class PostmarkWebhook implements ProviderWebhook {
    private static final Set<String> HARD = Set.of("hardbounce", "bademailaddress", "manuallydeactivated");
    private static final Set<String> NOTICES = Set.of("subscribe", "autoresponder", "addresschange", "openrelaytest",
            "virusnotification", "challengeverification", "unconfirmed", "inbounderror");

    private final byte[] expectedBasic;
    private final String tokenHeader;
    private final byte[] expectedToken;
    private final int maxBodyBytes;

    /**
     * @param basicUser with {@code basicPassword}: the Basic credentials to accept, or null for none
     * @param tokenHeader with {@code token}: a header and its value to accept, or null for none (at least one of
     *     the two is required)
     */
    public PostmarkWebhook(String basicUser, String basicPassword, String tokenHeader, String token, int maxBodyBytes) {
        boolean basic = basicUser != null && !basicUser.isEmpty() && basicPassword != null && !basicPassword.isEmpty();
        boolean header = tokenHeader != null && !tokenHeader.isBlank() && token != null && !token.isEmpty();
        if (!basic && !header) {
            throw new IllegalArgumentException("Postmark webhook needs Basic credentials or a header token");
        }
        if (basic && basicUser.indexOf(':') >= 0) {
            throw new IllegalArgumentException("Postmark webhook Basic user must not contain ':'");
        }
        this.expectedBasic = basic ? (basicUser + ":" + basicPassword).getBytes(StandardCharsets.UTF_8) : null;
        this.tokenHeader = header ? tokenHeader.strip() : null;
        this.expectedToken = header ? token.getBytes(StandardCharsets.UTF_8) : null;
        this.maxBodyBytes = WebhookSupport.checkedLimit(maxBodyBytes);
    }

    public static PostmarkWebhook basicAuth(String user, String password) {
        return new PostmarkWebhook(user, password, null, null, WebhookSupport.DEFAULT_MAX_BODY_BYTES);
    }

    public static PostmarkWebhook headerToken(String header, String token) {
        return new PostmarkWebhook(null, null, header, token, WebhookSupport.DEFAULT_MAX_BODY_BYTES);
    }

    @Override
    public String provider() {
        return "postmark";
    }

    @Override
    public WebhookResult receive(WebhookRequest request) {
        WebhookSupport.requireWithinLimit(request, maxBodyBytes);
        authenticate(request);
        JsonNode root = WebhookSupport.readJson(request.body(), "body");
        if (!root.isObject()) {
            throw new MalformedWebhookException("body", "must be a JSON object");
        }
        return WebhookResult.of(event(root));
    }

    private void authenticate(WebhookRequest request) {
        String authorization = request.header("Authorization");
        String token = tokenHeader == null ? null : request.header(tokenHeader);
        boolean presented = false;
        boolean accepted = false;
        if (expectedBasic != null && authorization != null) {
            presented = true;
            byte[] credentials = basicCredentials(authorization);
            // Always compare (even an unreadable header, as empty) so the timing says nothing.
            accepted = WebhookSupport.constantTimeEquals(credentials, expectedBasic);
        }
        if (expectedToken != null && token != null) {
            presented = true;
            accepted |= WebhookSupport.constantTimeEquals(token.getBytes(StandardCharsets.UTF_8), expectedToken);
        }
        if (!presented) {
            throw WebhookAuthenticationException.missing("credentials are missing");
        }
        if (!accepted) {
            throw WebhookAuthenticationException.refused("credentials are wrong");
        }
    }

    private static byte[] basicCredentials(String authorization) {
        String value = authorization.strip();
        if (value.length() < 6 || !value.regionMatches(true, 0, "Basic ", 0, 6)) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(value.substring(6).strip());
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private List<EngagementEvent> event(JsonNode node) {
        String recordType = text(node, "RecordType", "");
        String messageId = optionalText(node, "MessageID", "");
        return switch (recordType) {
            case "Delivery" -> List.of(build(node, recordType, EngagementType.DELIVERED, "Recipient",
                    isoInstant(optionalText(node, "DeliveredAt", ""), "DeliveredAt"),
                    new Id(recordType, require(messageId, "MessageID"), null), optionalText(node, "Details", ""), null));
            case "Bounce", "SpamComplaint" -> {
                String bounceType = text(node, "Type", "");
                EngagementType type = recordType.equals("SpamComplaint") ? EngagementType.COMPLAINED : bounceType(bounceType);
                String detail = join(bounceType, optionalText(node, "Description", ""), optionalText(node, "Details", ""));
                yield List.of(build(node, recordType + "/" + bounceType, type, "Email",
                        isoInstant(optionalText(node, "BouncedAt", ""), "BouncedAt"),
                        new Id(recordType, text(node, "ID", ""), null), detail, null));
            }
            case "Open" -> {
                String at = optionalText(node, "ReceivedAt", "");
                yield List.of(build(node, recordType, EngagementType.OPENED, "Recipient", isoInstant(at, "ReceivedAt"),
                        new Id(recordType, require(messageId, "MessageID"), at), null, null));
            }
            case "Click" -> {
                String at = optionalText(node, "ReceivedAt", "");
                String link = text(node, "OriginalLink", "");
                yield List.of(build(node, recordType, EngagementType.CLICKED, "Recipient", isoInstant(at, "ReceivedAt"),
                        new Id(recordType, require(messageId, "MessageID"), at + ":" + java.util.HexFormat.of().formatHex(WebhookSupport.sha256(link.getBytes(StandardCharsets.UTF_8)), 0, 8)),
                        optionalText(node, "ClickLocation", ""), link));
            }
            case "SubscriptionChange" -> {
                String at = optionalText(node, "ChangedAt", "");
                boolean suppress = node.path("SuppressSending").asBoolean(false);
                String reason = optionalText(node, "SuppressionReason", "");
                boolean unsubscribed = suppress && (reason == null || reason.equals("ManualSuppression"));
                yield List.of(build(node, recordType, unsubscribed ? EngagementType.UNSUBSCRIBED : EngagementType.OTHER,
                        "Recipient", isoInstant(at, "ChangedAt"),
                        new Id(recordType, messageId == null ? "-" : messageId, at),
                        join(suppress ? "SuppressSending" : "ResumeSending", reason, optionalText(node, "Origin", "")),
                        null));
            }
            default -> other(node, recordType, messageId);
        };
    }

    /** A record type the platform doesn't use: counted as OTHER when it names a recipient and a time. */
    private List<EngagementEvent> other(JsonNode node, String recordType, String messageId) {
        String field = node.hasNonNull("Recipient") ? "Recipient" : node.hasNonNull("Email") ? "Email" : null;
        String at = firstNonNull(optionalText(node, "ReceivedAt", ""), optionalText(node, "BouncedAt", ""),
                optionalText(node, "DeliveredAt", ""), optionalText(node, "ChangedAt", ""));
        if (field == null || at == null) {
            return List.of();
        }
        String identity = firstNonNull(optionalText(node, "ID", ""), messageId, "-");
        return List.of(build(node, recordType, EngagementType.OTHER, field, isoInstant(at, "ReceivedAt"),
                new Id(recordType, identity, at), null, null));
    }

    static EngagementType bounceType(String type) {
        String key = type.toLowerCase(Locale.ROOT);
        if (HARD.contains(key)) {
            return EngagementType.BOUNCED;
        }
        if (key.equals("unsubscribe")) {
            return EngagementType.UNSUBSCRIBED;
        }
        if (key.equals("spamcomplaint")) {
            return EngagementType.COMPLAINED;
        }
        if (key.equals("templaterenderingfailed")) {
            return EngagementType.RENDERING_FAILURE;
        }
        if (NOTICES.contains(key)) {
            return EngagementType.OTHER;
        }
        return EngagementType.SOFT_BOUNCED;
    }

    private EngagementEvent build(JsonNode node, String providerType, EngagementType type, String recipientField,
            Instant at, Id id, String detail, String url) {
        var recipient = email(optionalText(node, recipientField, ""), recipientField);
        EngagementEvent.Builder builder = EngagementEvent.builder(provider(),
                        id.with(recipient.value()), type, recipient, at)
                .providerType(providerType)
                .detail(detail)
                .url(url);
        JsonNode metadata = node.get("Metadata");
        Correlation fromMetadata = metadata != null && metadata.isObject()
                ? Correlation.from(key -> metadata.hasNonNull(key) ? metadata.get(key).asText() : null)
                : Correlation.NONE;
        String tag = optionalText(node, "Tag", "");
        return fromMetadata.orElse(new Correlation(tag, null, null, null)).applyTo(builder).build();
    }

    /** The dedupe identity: RecordType, ID or MessageID, the recipient, and what tells repeats apart (a time). */
    private record Id(String recordType, String identity, String distinct) {
        String with(String recipient) {
            return recordType + ":" + identity + ":" + recipient + (distinct == null ? "" : ":" + distinct);
        }
    }

    private static String require(String value, String field) {
        if (value == null) {
            throw new MalformedWebhookException(field, "is required");
        }
        return value;
    }

    private static String firstNonNull(String... values) {
        for (String value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static String join(String... parts) {
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            if (part != null && !part.isBlank()) {
                out.append(out.length() == 0 ? "" : ": ").append(part);
            }
        }
        return out.length() == 0 ? null : out.toString();
    }
}
