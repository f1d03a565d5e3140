package dev.dispatch.domain.content;

/** A campaign's content scores at or above the threshold and the send request didn't say {@code force}. */
public class ContentRefusedException extends RuntimeException {
    private final transient ContentReport report;

    public ContentRefusedException(ContentReport report) {
        super(String.format(java.util.Locale.ROOT, "the content scores %.1f, at or above the threshold of %.1f; fix the "
                + "findings or send with \"force\": true", report.score(), report.threshold()));
        this.report = report;
    }

    public ContentReport report() {
        return report;
    }
}
