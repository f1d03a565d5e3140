package dev.dispatch.adapter.webhook;

import static dev.dispatch.adapter.webhook.WebhookSupport.email;
import static dev.dispatch.adapter.webhook.WebhookSupport.isoInstant;
import static dev.dispatch.adapter.webhook.WebhookSupport.optionalText;
import static dev.dispatch.adapter.webhook.WebhookSupport.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dispatch.domain.message.MessageHeaders;
import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementType;
import dev.dispatch.domain.engagement.MalformedWebhookException;
import dev.dispatch.domain.engagement.ProviderWebhook;
import dev.dispatch.domain.engagement.WebhookAuthenticationException;
import dev.dispatch.domain.engagement.WebhookRequest;
import dev.dispatch.domain.engagement.WebhookResult;
import dev.dispatch.domain.subscriber.EmailAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Amazon SES events delivered by SNS over HTTPS (raw message delivery off, so the SNS envelope arrives as a
 * {@code text/plain} JSON body).
 *
 * <p>Order of checks, each a refusal: body size; envelope fields and the {@code x-amz-sns-message-type} header;
 * the topic is one of the configured ARNs; {@code SigningCertURL} is {@code https://sns.<region>.amazonaws.com/
 * SimpleNotificationService-<hex>.pem} on an SNS regional host ({@link SnsEndpoints}, checked before anything is
 * fetched); the certificate (from the {@link CertificateSource}) is SNS's signing certificate: valid now, named as
 * SNS's, chained to a trusted CA ({@link SnsCertificateTrust}); the signature (version 1 SHA1withRSA, version 2 SHA256withRSA) verifies
 * over the canonical string: for a Notification {@code Message, MessageId, Subject (if present), Timestamp,
 * TopicArn, Type}, for a confirmation {@code Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type},
 * each as {@code Name\nvalue\n} (the last newline included). Only then is {@code Message} read.
 *
 * <p>A SubscriptionConfirmation yields {@link WebhookResult#confirmSubscription} with its SubscribeURL (the caller
 * fetches it); an UnsubscribeConfirmation yields nothing. A Notification's {@code Message} is either shape of SES
 * JSON: notifications ({@code notificationType} Bounce, Complaint, Delivery) or event publishing ({@code eventType}
 * Send, Reject, Bounce, Complaint, Delivery, Open, Click, Rendering Failure, DeliveryDelay, Subscription), one
 * event per recipient. Bounces: Permanent → BOUNCED, Transient and Undetermined → SOFT_BOUNCED. Identity: what
 * the event is to SES, not the SNS message that carried it (SES may publish one event again, in a new SNS message
 * with a new MessageId): {@code mail.messageId}, the SES event type, the recipient and the event's own time
 * ({@code bounce.timestamp}, {@code delivery.timestamp}, ...; {@code mail.timestamp} for Send, Reject and Rendering
 * Failure, which happen once per message), and for a click a digest of the link (two links clicked in the same
 * millisecond, as link scanners do, are two events). Correlation: {@code X-Dispatch-*} from {@code mail.headers} (exact values), else
 * {@code mail.tags} (SES tag values are sanitized and carry no recipient key). A Message that is not JSON (SES's
 * "Successfully validated SNS topic" test) or has no {@code mail} yields nothing.
 *
 * <p>A certificate that can't be fetched is an {@link UncheckedIOException}: a temporary failure, to be answered
 * with 5xx so that SNS retries.
 */
public class SesSnsWebhook implements ProviderWebhook {
    public static final String MESSAGE_TYPE_HEADER = "x-amz-sns-message-type";

    private static final String NOTIFICATION = "Notification";
    private static final String SUBSCRIPTION_CONFIRMATION = "SubscriptionConfirmation";
    private static final String UNSUBSCRIBE_CONFIRMATION = "UnsubscribeConfirmation";

    private final Set<String> allowedTopicArns;
    private final CertificateSource certificates;
    private final SnsCertificateTrust trust;
    private final int maxBodyBytes;
    private final Clock clock;
    static final java.time.Duration MAX_AGE = java.time.Duration.ofDays(7);
    private static final java.time.Duration MAX_CLOCK_SKEW = java.time.Duration.ofMinutes(15);

    /**
     * @param allowedTopicArns the SNS topics whose messages (and subscription confirmations) are accepted
     * @param certificates where signing certificates come from (wrap the HTTPS one in a cache)
     * @param trust what makes a fetched certificate SNS's ({@link SnsCertificateTrust#jdkTrustStore()} in production)
     */
    public SesSnsWebhook(Set<String> allowedTopicArns, CertificateSource certificates, SnsCertificateTrust trust,
            int maxBodyBytes, Clock clock) {
        if (allowedTopicArns == null || allowedTopicArns.isEmpty()) {
            throw new IllegalArgumentException("at least one allowed SNS topic ARN is required");
        }
        this.allowedTopicArns = Set.copyOf(allowedTopicArns);
        this.certificates = certificates;
        this.trust = java.util.Objects.requireNonNull(trust, "trust");
        this.maxBodyBytes = WebhookSupport.checkedLimit(maxBodyBytes);
        this.clock = clock;
    }

    public SesSnsWebhook(Set<String> allowedTopicArns, CertificateSource certificates, SnsCertificateTrust trust,
            Clock clock) {
        this(allowedTopicArns, certificates, trust, WebhookSupport.DEFAULT_MAX_BODY_BYTES, clock);
    }

    @Override
    public String provider() {
        return "ses";
    }

    @Override
    public WebhookResult receive(WebhookRequest request) {
        WebhookSupport.requireWithinLimit(request, maxBodyBytes);
        JsonNode envelope = WebhookSupport.readJson(request.body(), "body");
        if (!envelope.isObject()) {
            throw new MalformedWebhookException("body", "must be an SNS message object");
        }
        String type = text(envelope, "Type", "");
        String headerType = request.header(MESSAGE_TYPE_HEADER);
        if (headerType != null && !headerType.strip().equals(type)) {
            throw new MalformedWebhookException(MESSAGE_TYPE_HEADER, "does not match the message Type");
        }
        if (!type.equals(NOTIFICATION) && !type.equals(SUBSCRIPTION_CONFIRMATION)
                && !type.equals(UNSUBSCRIBE_CONFIRMATION)) {
            throw new MalformedWebhookException("Type", "is not an SNS message type");
        }
        String topicArn = text(envelope, "TopicArn", "");
        if (!allowedTopicArns.contains(topicArn)) {
            throw WebhookAuthenticationException.refused("topic is not allowed");
        }
        verify(envelope, type);
        requireRecent(envelope);

        return switch (type) {
            case SUBSCRIPTION_CONFIRMATION -> WebhookResult.confirmSubscription(subscribeUrl(envelope));
            case UNSUBSCRIBE_CONFIRMATION -> WebhookResult.of(List.of());
            default -> WebhookResult.of(parseSes(text(envelope, "Message", "")));
        };
    }

    // ---- verification

    /**
     * A signed message stays valid forever, so a captured one could be replayed: refuse messages published a week ago
     * or more (SNS retries an HTTPS delivery for at most an hour; the margin covers a redrive from a dead-letter
     * queue) and messages from the future. Younger replays are duplicates, which applying recognizes.
     */
    private void requireRecent(JsonNode envelope) {
        String published = optionalText(envelope, "Timestamp", "");
        if (published == null) {
            throw new MalformedWebhookException("Timestamp", "is missing");
        }
        java.time.Instant at;
        try {
            at = java.time.Instant.parse(published);
        } catch (java.time.format.DateTimeParseException e) {
            throw new MalformedWebhookException("Timestamp", "is not an ISO-8601 instant");
        }
        java.time.Instant now = clock.instant();
        if (at.isBefore(now.minus(MAX_AGE)) || at.isAfter(now.plus(MAX_CLOCK_SKEW))) {
            throw WebhookAuthenticationException.refused("Timestamp is outside the accepted window (replayed message?)");
        }
    }

    private void verify(JsonNode envelope, String type) {
        String version = optionalText(envelope, "SignatureVersion", "");
        String signatureText = optionalText(envelope, "Signature", "");
        String certUrl = optionalText(envelope, "SigningCertURL", "");
        if (version == null || signatureText == null || certUrl == null) {
            throw WebhookAuthenticationException.missing("SignatureVersion, Signature or SigningCertURL is missing");
        }
        String algorithm = switch (version) {
            case "1" -> "SHA1withRSA";
            case "2" -> "SHA256withRSA";
            default -> throw WebhookAuthenticationException.refused("unsupported SignatureVersion");
        };
        URI certificateUrl = checkSigningCertUrl(certUrl);
        byte[] signature;
        try {
            signature = Base64.getMimeDecoder().decode(signatureText);
        } catch (IllegalArgumentException e) {
            throw WebhookAuthenticationException.refused("Signature is not base64");
        }
        X509Certificate certificate = certificate(certificateUrl);
        boolean valid;
        try {
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(stringToSign(envelope, type).getBytes(StandardCharsets.UTF_8));
            valid = verifier.verify(signature);
        } catch (java.security.SignatureException | java.security.InvalidKeyException e) {
            valid = false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " verification is unavailable", e);
        }
        if (!valid) {
            throw WebhookAuthenticationException.refused("SNS signature does not verify");
        }
    }

    /**
     * The SNS canonical string: each field as {@code Name\nvalue\n}, trailing newline included. Notification:
     * Message, MessageId, Subject (only if present), Timestamp, TopicArn, Type. Confirmations: Message, MessageId,
     * SubscribeURL, Timestamp, Token, TopicArn, Type.
     */
    static String stringToSign(JsonNode envelope, String type) {
        String[] fields = type.equals(NOTIFICATION)
                ? new String[] {"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
                : new String[] {"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"};
        StringBuilder out = new StringBuilder();
        for (String field : fields) {
            JsonNode value = envelope.get(field);
            if (value == null || value.isNull()) {
                if (field.equals("Subject")) {
                    continue;
                }
                throw new MalformedWebhookException(field, "is required");
            }
            if (!value.isTextual()) {
                throw new MalformedWebhookException(field, "must be a string");
            }
            out.append(field).append('\n').append(value.asText()).append('\n');
        }
        return out.toString();
    }

    /** Refuses any certificate URL that is not HTTPS on an SNS regional host with SNS's certificate path. */
    static URI checkSigningCertUrl(String raw) {
        return SnsEndpoints.requireCertificateUrl(raw);
    }

    private X509Certificate certificate(URI url) {
        String pem;
        try {
            pem = certificates.pem(url);
        } catch (IOException e) {
            throw new UncheckedIOException("SNS signing certificate is unavailable", e);
        }
        return trust.signingCertificate(pem, url, clock.instant());
    }

    private static String subscribeUrl(JsonNode envelope) {
        String raw = text(envelope, "SubscribeURL", "");
        // Signed by SNS already; checked anyway so a confirmation can only ever make us call SNS.
        SnsEndpoints.requireSnsUrl(raw, "SubscribeURL");
        return raw;
    }

    // ---- SES JSON

    private List<EngagementEvent> parseSes(String message) {
        if (!message.stripLeading().startsWith("{")) {
            return List.of(); // SES's setup test message is plain text: nothing to record
        }
        JsonNode ses = WebhookSupport.readJson(message, "Message");
        String eventType = optionalText(ses, "eventType", "Message.");
        String kind = eventType != null ? eventType : optionalText(ses, "notificationType", "Message.");
        if (kind == null) {
            throw new MalformedWebhookException("Message", "has neither eventType nor notificationType");
        }
        JsonNode mail = ses.get("mail");
        if (mail == null || mail.isNull()) {
            return List.of(); // e.g. AmazonSnsSubscriptionSucceeded: about the topic, not a message
        }
        if (!mail.isObject()) {
            throw new MalformedWebhookException("Message.mail", "must be an object");
        }
        Correlation correlation = correlation(mail);
        Instant mailTime = isoInstant(optionalText(mail, "timestamp", "Message.mail."), "Message.mail.timestamp");
        String sesMessageId = optionalText(mail, "messageId", "Message.mail.");
        if (sesMessageId == null) {
            throw new MalformedWebhookException("Message.mail.messageId", "is required");
        }
        Events events = new Events(sesMessageId, kind, correlation);
        switch (kind) {
            case "Send" -> events.forDestination(mail, EngagementType.SENT, mailTime, null, null);
            case "Reject" -> {
                JsonNode reject = ses.path("reject");
                events.forDestination(mail, EngagementType.REJECTED, mailTime, optionalText(reject, "reason", "Message.reject."), null);
            }
            case "Bounce" -> bounce(WebhookSupport.object(ses, "bounce", "Message."), events);
            case "Complaint" -> {
                JsonNode complaint = WebhookSupport.object(ses, "complaint", "Message.");
                String detail = join(optionalText(complaint, "complaintFeedbackType", "Message.complaint."),
                        optionalText(complaint, "complaintSubType", "Message.complaint."));
                events.forList(complaint, "complainedRecipients", "Message.complaint.", EngagementType.COMPLAINED,
                        time(complaint, "Message.complaint.", mailTime), detail);
            }
            case "Delivery" -> {
                JsonNode delivery = WebhookSupport.object(ses, "delivery", "Message.");
                JsonNode recipients = delivery.get("recipients");
                if (recipients == null || !recipients.isArray()) {
                    throw new MalformedWebhookException("Message.delivery.recipients", "must be an array");
                }
                Instant at = time(delivery, "Message.delivery.", mailTime);
                String detail = optionalText(delivery, "smtpResponse", "Message.delivery.");
                for (int i = 0; i < recipients.size(); i++) {
                    events.add(EngagementType.DELIVERED, recipients.get(i).asText(null),
                            "Message.delivery.recipients[" + i + "]", at, detail, null);
                }
            }
            case "Open" -> {
                JsonNode open = WebhookSupport.object(ses, "open", "Message.");
                events.forDestination(mail, EngagementType.OPENED, time(open, "Message.open.", mailTime), null, null);
            }
            case "Click" -> {
                JsonNode click = WebhookSupport.object(ses, "click", "Message.");
                events.forDestination(mail, EngagementType.CLICKED, time(click, "Message.click.", mailTime), null,
                        text(click, "link", "Message.click."));
            }
            case "Rendering Failure" -> {
                JsonNode failure = ses.path("failure");
                events.forDestination(mail, EngagementType.RENDERING_FAILURE, mailTime,
                        join(optionalText(failure, "templateName", "Message.failure."),
                                optionalText(failure, "errorMessage", "Message.failure.")), null);
            }
            case "DeliveryDelay" -> {
                JsonNode delay = WebhookSupport.object(ses, "deliveryDelay", "Message.");
                events.forList(delay, "delayedRecipients", "Message.deliveryDelay.", EngagementType.DEFERRED,
                        time(delay, "Message.deliveryDelay.", mailTime),
                        optionalText(delay, "delayType", "Message.deliveryDelay."));
            }
            case "Subscription" -> {
                JsonNode subscription = WebhookSupport.object(ses, "subscription", "Message.");
                boolean all = subscription.path("newTopicPreferences").path("unsubscribeAll").asBoolean(false);
                events.forDestination(mail, all ? EngagementType.UNSUBSCRIBED : EngagementType.OTHER,
                        time(subscription, "Message.subscription.", mailTime),
                        optionalText(subscription, "contactList", "Message.subscription."), null);
            }
            default -> events.forDestination(mail, EngagementType.OTHER, mailTime, null, null);
        }
        return events.list;
    }

    private static void bounce(JsonNode bounce, Events events) {
        String bounceType = text(bounce, "bounceType", "Message.bounce.");
        // SES's own classification: only Permanent is a hard bounce; Undetermined is not proof the address is bad.
        EngagementType type = bounceType.equals("Permanent") ? EngagementType.BOUNCED : EngagementType.SOFT_BOUNCED;
        String subType = optionalText(bounce, "bounceSubType", "Message.bounce.");
        JsonNode recipients = bounce.get("bouncedRecipients");
        if (recipients == null || !recipients.isArray()) {
            throw new MalformedWebhookException("Message.bounce.bouncedRecipients", "must be an array");
        }
        Instant at = time(bounce, "Message.bounce.", null);
        for (int i = 0; i < recipients.size(); i++) {
            JsonNode recipient = recipients.get(i);
            String path = "Message.bounce.bouncedRecipients[" + i + "]";
            String diagnostic = recipient.isObject() ? optionalText(recipient, "diagnosticCode", path + ".") : null;
            events.add(type, recipient.isObject() ? optionalText(recipient, "emailAddress", path + ".") : null,
                    path + ".emailAddress", at, join(bounceType + "/" + (subType == null ? "" : subType), diagnostic),
                    null);
        }
    }

    private static Instant time(JsonNode object, String path, Instant fallback) {
        String raw = optionalText(object, "timestamp", path);
        if (raw == null && fallback != null) {
            return fallback;
        }
        return isoInstant(raw, path + "timestamp");
    }

    /** X-Dispatch-* headers first (exact values), then tags (sanitized by SES rules, no recipient key). */
    private static Correlation correlation(JsonNode mail) {
        Map<String, String> headers = new HashMap<>();
        JsonNode list = mail.get("headers");
        if (list != null && list.isArray()) {
            for (JsonNode header : list) {
                String name = header.path("name").asText("");
                if (name.regionMatches(true, 0, "X-Dispatch-", 0, 11)) {
                    headers.put(name.toLowerCase(Locale.ROOT), header.path("value").asText(null));
                }
            }
        }
        Correlation fromHeaders = Correlation.from(
                key -> headers.get(MessageHeaders.headerName(key).toLowerCase(Locale.ROOT)));
        JsonNode tags = mail.get("tags");
        Correlation fromTags = tags == null || !tags.isObject() ? Correlation.NONE : Correlation.from(key -> {
            JsonNode values = tags.get(key);
            return values != null && values.isArray() && !values.isEmpty() ? values.get(0).asText(null) : null;
        });
        return fromHeaders.orElse(fromTags);
    }

    /** SES lists recipients as given; a display-name form ({@code "Ada" <ada@example.com>}) keeps the address. */
    private static String bareAddress(String address) {
        if (address != null && address.endsWith(">") && address.indexOf('<') >= 0) {
            return address.substring(address.lastIndexOf('<') + 1, address.length() - 1);
        }
        return address;
    }

    private static String join(String a, String b) {
        if (a == null || a.isBlank()) {
            return b;
        }
        return b == null || b.isBlank() ? a : a + ": " + b;
    }

    /** Accumulates one event per recipient with the SES message's identity and correlation. */
    private final class Events {
        private final String sesMessageId;
        private final String kind;
        private final Correlation correlation;
        private final List<EngagementEvent> list = new ArrayList<>();

        Events(String sesMessageId, String kind, Correlation correlation) {
            this.sesMessageId = sesMessageId;
            this.kind = kind;
            this.correlation = correlation;
        }

        void add(EngagementType type, String address, String field, Instant at, String detail, String url) {
            EmailAddress recipient = email(bareAddress(address), field);
            EngagementEvent.Builder builder = EngagementEvent.builder(provider(), identity(recipient, at, url),
                            type, recipient, at)
                    .providerType(kind)
                    .detail(detail)
                    .url(url);
            list.add(correlation.applyTo(builder).build());
        }

        /**
         * SES's identity of the event: the same event published again (a new SNS MessageId) gets the same one. The
         * time is the parsed instant, so "09:59:01Z" and "09:59:01.000Z" are one time.
         */
        private String identity(EmailAddress recipient, Instant at, String url) {
            String id = sesMessageId + ":" + kind + ":" + recipient.value() + ":" + at;
            return url == null ? id : id + ":" + HexFormat.of().formatHex(
                    WebhookSupport.sha256(url.getBytes(StandardCharsets.UTF_8)), 0, 8);
        }

        void forDestination(JsonNode mail, EngagementType type, Instant at, String detail, String url) {
            JsonNode destination = mail.get("destination");
            if (destination == null || !destination.isArray() || destination.isEmpty()) {
                throw new MalformedWebhookException("Message.mail.destination", "must be a non-empty array");
            }
            for (int i = 0; i < destination.size(); i++) {
                add(type, destination.get(i).asText(null), "Message.mail.destination[" + i + "]", at, detail, url);
            }
        }

        void forList(JsonNode parent, String name, String path, EngagementType type, Instant at, String detail) {
            JsonNode recipients = parent.get(name);
            if (recipients == null || !recipients.isArray()) {
                throw new MalformedWebhookException(path + name, "must be an array");
            }
            for (int i = 0; i < recipients.size(); i++) {
                JsonNode recipient = recipients.get(i);
                String field = path + name + "[" + i + "]";
                add(type, recipient.isObject() ? optionalText(recipient, "emailAddress", field + ".") : null,
                        field + ".emailAddress", at, detail, null);
            }
        }
    }
}
