package dev.dispatch.adapter.webhook;

import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.message.OutgoingMessage;
import java.util.function.Function;

/**
 * The correlation data an outgoing message carried (see {@link OutgoingMessage}), as it comes back in an event:
 * SendGrid {@code custom_args}, SES {@code mail.tags} and {@code X-Dispatch-*} headers, Postmark {@code Metadata}.
 */
record Correlation(String campaignId, String variant, String recipientKey, String batchId) {
    static final Correlation NONE = new Correlation(null, null, null, null);

    /** Reads the four keys through a lookup that answers null for an absent key. */
    static Correlation from(Function<String, String> lookup) {
        return new Correlation(lookup.apply(OutgoingMessage.CAMPAIGN_ID), lookup.apply(OutgoingMessage.VARIANT),
                lookup.apply(OutgoingMessage.RECIPIENT), lookup.apply(OutgoingMessage.BATCH_ID));
    }

    /** This correlation with each missing value taken from {@code fallback}. */
    Correlation orElse(Correlation fallback) {
        return new Correlation(first(campaignId, fallback.campaignId), first(variant, fallback.variant),
                first(recipientKey, fallback.recipientKey), first(batchId, fallback.batchId));
    }

    EngagementEvent.Builder applyTo(EngagementEvent.Builder builder) {
        return builder.correlation(campaignId, variant, recipientKey, batchId);
    }

    private static String first(String a, String b) {
        return a != null && !a.isBlank() ? a : b;
    }
}
