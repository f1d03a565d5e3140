package dev.dispatch.domain.engagement;

import dev.dispatch.domain.subscriber.EmailAddress;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One provider event about one recipient, normalized from a verified webhook.
 *
 * @param provider "sendgrid", "ses", "postmark" or "generic"
 * @param providerEventId the dedupe identity within the provider: SendGrid {@code sg_event_id}; SES its own message
 *     id, event type, recipient and event time (and the link of a click), never the SNS MessageId, as SES may publish
 *     one event in several SNS messages; Postmark the RecordType, ID or MessageID, and the recipient (opens, clicks and
 *     subscription changes add their own time, as one message can have many); generic its {@code id}
 * @param type the normalized type
 * @param recipient the address the event is about
 * @param occurredAt when the provider says it happened
 * @param campaignId the campaign from the message's correlation data, or null
 * @param variant the A/B variant from the correlation data, or null
 * @param recipientKey the correlation recipient key (first 16 bytes of SHA-256 of the address, hex), or null
 * @param batchId the send batch from the correlation data, or null
 * @param url the clicked link for {@link EngagementType#CLICKED}, otherwise null
 * @param detail a short reason (bounce subtype and diagnostic, complaint type, ...), one line, or null
 * @param providerType the provider's own type name (for counting {@link EngagementType#OTHER} events)
 */
public record EngagementEvent(
        String provider,
        String providerEventId,
        EngagementType type,
        EmailAddress recipient,
        Instant occurredAt,
        String campaignId,
        String variant,
        String recipientKey,
        String batchId,
        String url,
        String detail,
        String providerType) {

    public static final int MAX_DETAIL_LENGTH = 500;
    public static final int MAX_ID_LENGTH = 1024;
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\u2028\\u2029]+");

    public EngagementEvent {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(occurredAt, "occurredAt");
        if (providerEventId == null || providerEventId.isBlank()) {
            throw new IllegalArgumentException("providerEventId is required");
        }
        if (providerEventId.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("providerEventId is longer than " + MAX_ID_LENGTH + " characters");
        }
        campaignId = blankToNull(campaignId);
        variant = blankToNull(variant);
        recipientKey = blankToNull(recipientKey);
        batchId = blankToNull(batchId);
        url = blankToNull(url);
        providerType = blankToNull(providerType);
        detail = oneLine(detail, MAX_DETAIL_LENGTH);
    }

    public static Builder builder(String provider, String providerEventId, EngagementType type, EmailAddress recipient,
            Instant occurredAt) {
        return new Builder(provider, providerEventId, type, recipient, occurredAt);
    }

    /** Control characters become one space, the ends are trimmed and the text is cut to {@code max} characters. */
    static String oneLine(String value, int max) {
        if (value == null) {
            return null;
        }
        String single = CONTROL.matcher(value).replaceAll(" ").strip();
        if (single.isEmpty()) {
            return null;
        }
        return single.length() <= max ? single : single.substring(0, max);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** The optional components by name; the five required ones go to {@link #builder}. */
    public static final class Builder {
        private final String provider;
        private final String providerEventId;
        private final EngagementType type;
        private final EmailAddress recipient;
        private final Instant occurredAt;
        private String campaignId;
        private String variant;
        private String recipientKey;
        private String batchId;
        private String url;
        private String detail;
        private String providerType;

        private Builder(String provider, String providerEventId, EngagementType type, EmailAddress recipient,
                Instant occurredAt) {
            this.provider = provider;
            this.providerEventId = providerEventId;
            this.type = type;
            this.recipient = recipient;
            this.occurredAt = occurredAt;
        }

        public Builder correlation(String campaignId, String variant, String recipientKey, String batchId) {
            this.campaignId = campaignId;
            this.variant = variant;
            this.recipientKey = recipientKey;
            this.batchId = batchId;
            return this;
        }

        public Builder url(String value) {
            this.url = value;
            return this;
        }

        public Builder detail(String value) {
            this.detail = value;
            return this;
        }

        public Builder providerType(String value) {
            this.providerType = value;
            return this;
        }

        public EngagementEvent build() {
            return new EngagementEvent(provider, providerEventId, type, recipient, occurredAt, campaignId, variant,
                    recipientKey, batchId, url, detail, providerType);
        }
    }
}
