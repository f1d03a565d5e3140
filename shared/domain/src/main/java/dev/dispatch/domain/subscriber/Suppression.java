package dev.dispatch.domain.subscriber;

import java.time.Instant;

/**
 * Why an address must not be mailed. Kept apart from the profile so that no profile write (an import, an update)
 * can ever lift it: only an explicit re-subscription removes an UNSUBSCRIBED suppression.
 */
public record Suppression(EmailAddress email, SubscriberStatus reason, Instant since, String source) {
    public Suppression {
        if (!reason.suppressed()) {
            throw new IllegalArgumentException("a suppression needs a suppressing status");
        }
    }
}
