package dev.dispatch.domain.message;

import dev.dispatch.domain.subscriber.EmailAddress;
import java.util.Objects;

/**
 * What a provider did with one message.
 *
 * @param recipient the message's recipient
 * @param outcome accepted, rejected for good, throttled, or failed for a transient reason
 * @param providerMessageId the provider's id for an accepted message (SendGrid: one id for the whole request); null
 *     otherwise
 * @param detail a short reason for anything but acceptance (provider error code and message); never credentials
 */
public record SendResult(EmailAddress recipient, Outcome outcome, String providerMessageId, String detail) {

    public enum Outcome {
        /** Handed to the provider, which took responsibility for it (not yet delivered). */
        ACCEPTED,
        /** Permanent for this recipient and this content: record it, never retry it. */
        REJECTED,
        /** This entry was throttled: retry later, with back-off. */
        THROTTLED,
        /** A transient failure of this entry: retry later. */
        FAILED_RETRYABLE
    }

    public SendResult {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(outcome, "outcome");
        if (outcome == Outcome.ACCEPTED && (providerMessageId == null || providerMessageId.isBlank())) {
            throw new IllegalArgumentException("an accepted message has a provider message id");
        }
    }

    public static SendResult accepted(EmailAddress recipient, String providerMessageId) {
        return new SendResult(recipient, Outcome.ACCEPTED, providerMessageId, null);
    }

    public static SendResult rejected(EmailAddress recipient, String detail) {
        return new SendResult(recipient, Outcome.REJECTED, null, detail);
    }

    public static SendResult throttled(EmailAddress recipient, String detail) {
        return new SendResult(recipient, Outcome.THROTTLED, null, detail);
    }

    public static SendResult failedRetryable(EmailAddress recipient, String detail) {
        return new SendResult(recipient, Outcome.FAILED_RETRYABLE, null, detail);
    }

    public boolean accepted() {
        return outcome == Outcome.ACCEPTED;
    }
}
