package dev.dispatch.webhook;

import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The webhook intake made from the current webhook secrets. The secrets are re-read as they age; when one changed
 * (rotated, or set for the first time) the intake is built again from it, so no redeploy is needed.
 */
public final class CurrentIntake {
    private record Built(Map<String, String> postmark, Optional<String> generic, WebhookIntake intake) {}

    private final Supplier<Map<String, String>> postmark;
    private final Supplier<Optional<String>> generic;
    private final BiFunction<Map<String, String>, Optional<String>, WebhookIntake> factory;
    private volatile Built built;

    /**
     * @param postmark the Postmark webhook credentials ({@code user}, {@code password}, {@code token}; absent = unset)
     * @param generic the generic format's HMAC secret
     * @param factory the intake for given credentials
     */
    public CurrentIntake(Supplier<Map<String, String>> postmark, Supplier<Optional<String>> generic,
            BiFunction<Map<String, String>, Optional<String>, WebhookIntake> factory) {
        this.postmark = postmark;
        this.generic = generic;
        this.factory = factory;
        intake();
    }

    /** The intake for the secrets as they are now. */
    public WebhookIntake intake() {
        Map<String, String> postmarkNow = postmark.get();
        Optional<String> genericNow = generic.get();
        Built current = built;
        if (current != null && current.postmark().equals(postmarkNow) && current.generic().equals(genericNow)) {
            return current.intake();
        }
        synchronized (this) {
            current = built;
            if (current == null || !current.postmark().equals(postmarkNow) || !current.generic().equals(genericNow)) {
                current = new Built(postmarkNow, genericNow, factory.apply(postmarkNow, genericNow));
                built = current;
            }
            return current.intake();
        }
    }
}
