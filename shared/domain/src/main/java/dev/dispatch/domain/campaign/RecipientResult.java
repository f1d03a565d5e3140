package dev.dispatch.domain.campaign;

import java.util.Locale;

/**
 * The one recorded fate of one recipient of a campaign; for a recipient handed to a provider, which one and why it was
 * chosen ({@code route}: a {@link dev.dispatch.domain.routing.Route} reason such as {@code rule:gmail.com},
 * {@code tier:engaged}, {@code weight}, {@code order} or {@code failover:ses}; null when no provider was involved or
 * the result predates routing).
 */
public record RecipientResult(Fate fate, String provider, String providerMessageId, String detail, String route) {

    /** A result without a route (no provider was chosen for it). */
    public RecipientResult(Fate fate, String provider, String providerMessageId, String detail) {
        this(fate, provider, providerMessageId, detail, null);
    }

    public enum Fate {
        /** Accepted by a provider: sent. */
        SENT,
        /** Refused for good by the provider for this address (invalid, inactive, rejected). */
        REJECTED,
        /** Not sent: suppressed, unsubscribed, bounced or complained when its batch was sent. */
        SUPPRESSED,
        /** Not sent: the profile no longer exists or no longer is in the campaign's audience. */
        SKIPPED,
        /** Not sent: the campaign was cancelled before its batch went out. */
        CANCELLED,
        /**
         * A provider call was interrupted (the function died after handing the message over and before recording
         * the answer): the provider may or may not have sent it. Never re-sent, so never sent twice.
         */
        UNKNOWN;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
