package dev.dispatch.domain.message;

import java.util.List;

/**
 * A provider call that failed as a whole. {@link #completed()} holds the results of the messages of the batch that
 * were handled before the failure (in batch order, possibly none); the others were not sent by this call.
 * Messages never contain credentials.
 */
public abstract class ProviderException extends RuntimeException {
    private final String provider;
    private final transient List<SendResult> completed;

    protected ProviderException(String provider, String message, List<SendResult> completed, Throwable cause) {
        super(provider + ": " + message, cause);
        this.provider = provider;
        this.completed = completed == null ? List.of() : List.copyOf(completed);
    }

    public String provider() {
        return provider;
    }

    public List<SendResult> completed() {
        return completed;
    }
}
