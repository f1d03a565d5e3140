package dev.dispatch.domain.engagement;

/** An authenticated webhook body that can't be read: names the field (JSON path) and what is wrong with it. */
public class MalformedWebhookException extends RuntimeException {
    private final String field;

    public MalformedWebhookException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
