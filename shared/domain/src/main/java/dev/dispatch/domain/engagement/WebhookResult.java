package dev.dispatch.domain.engagement;

import java.util.List;

/**
 * What a verified webhook request carried: its events, and for a subscription handshake (SNS
 * SubscriptionConfirmation for an allowed topic) the URL the caller must fetch to confirm it. The parser never
 * fetches it itself.
 *
 * @param events the events, possibly none
 * @param subscriptionConfirmUrl the URL to GET to confirm a subscription, or null
 */
public record WebhookResult(List<EngagementEvent> events, String subscriptionConfirmUrl) {
    public WebhookResult {
        events = List.copyOf(events);
    }

    public static WebhookResult of(List<EngagementEvent> events) {
        return new WebhookResult(events, null);
    }

    public static WebhookResult confirmSubscription(String url) {
        return new WebhookResult(List.of(), url);
    }

    public boolean isSubscriptionConfirmation() {
        return subscriptionConfirmUrl != null;
    }
}
