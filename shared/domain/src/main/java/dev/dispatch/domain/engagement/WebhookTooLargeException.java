package dev.dispatch.domain.engagement;

/** A webhook body over the configured limit: refused before anything is verified or parsed (413). */
public class WebhookTooLargeException extends RuntimeException {
    private final long limit;

    public WebhookTooLargeException(long size, long limit) {
        super("body of " + size + " bytes is over the limit of " + limit + " bytes");
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
