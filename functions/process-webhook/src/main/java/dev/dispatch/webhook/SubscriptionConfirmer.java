package dev.dispatch.webhook;

/** Confirms an SNS subscription by fetching the SubscribeURL of a verified SubscriptionConfirmation. */
@FunctionalInterface
public interface SubscriptionConfirmer {

    /**
     * @return true when SNS answered 2xx (the subscription is confirmed); false on any other answer or no answer
     * @throws dev.dispatch.domain.engagement.WebhookAuthenticationException when the URL is not one of SNS's
     */
    boolean confirm(String subscribeUrl);
}
