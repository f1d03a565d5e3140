package dev.dispatch.domain.message;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The provider throttles the account (HTTP 429, SES Throttling): wait, then send the rest through it again. */
public class ProviderThrottledException extends ProviderException {
    private final Duration retryAfter;

    public ProviderThrottledException(String provider, String message, Duration retryAfter, List<SendResult> completed) {
        super(provider, message, completed, null);
        this.retryAfter = retryAfter == null || retryAfter.isNegative() ? null : retryAfter;
    }

    /** How long the provider asked to wait (SendGrid X-RateLimit-Reset, Retry-After), if it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
