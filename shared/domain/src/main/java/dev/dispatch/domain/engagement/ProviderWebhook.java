package dev.dispatch.domain.engagement;

import java.util.List;

/**
 * One provider's webhook: authenticates a request on its raw bytes first, then normalizes its body.
 *
 * <p>Refusals: {@link WebhookAuthenticationException} (nothing may be recorded; 401/403),
 * {@link MalformedWebhookException} (400), {@link WebhookTooLargeException} (413).
 */
public interface ProviderWebhook {

    /** "sendgrid", "ses", "postmark" or "generic". */
    String provider();

    /** Verifies the request and returns what it carries, including a subscription handshake to confirm. */
    WebhookResult receive(WebhookRequest request);

    /** Verifies the request and returns its events (a subscription handshake has none: use {@link #receive}). */
    default List<EngagementEvent> verifyAndParse(WebhookRequest request) {
        return receive(request).events();
    }
}
