package dev.dispatch.domain.consent;

/**
 * Hands out the batch numbers of a confirmation campaign, each once (an atomic counter). The number is written
 * into the pending opt-in before the mail is queued, so it is the mail's idempotency key from then on.
 */
public interface ConfirmationNumbers {
    int next(String confirmationCampaign);
}
