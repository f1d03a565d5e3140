package dev.dispatch.domain.engagement;

/**
 * A webhook request whose origin could not be proven: missing or wrong credentials or signature, a stale
 * timestamp, a forged certificate URL, a topic that is not allowed. Nothing from it may be recorded. The message
 * says what failed but never echoes a secret.
 */
public class WebhookAuthenticationException extends RuntimeException {
    private final boolean credentialsMissing;

    public WebhookAuthenticationException(String message, boolean credentialsMissing) {
        super(message);
        this.credentialsMissing = credentialsMissing;
    }

    public static WebhookAuthenticationException missing(String message) {
        return new WebhookAuthenticationException(message, true);
    }

    public static WebhookAuthenticationException refused(String message) {
        return new WebhookAuthenticationException(message, false);
    }

    /** True when no credentials were presented (401); false when they were presented and refused (403). */
    public boolean credentialsMissing() {
        return credentialsMissing;
    }
}
