package dev.dispatch.domain.subscriber;

import java.util.List;

/**
 * What an import did with each row. {@code created + updated + unchanged + suppressed.size() + rejected.size()}
 * equals {@code received}: every row is accounted for.
 */
public record ImportReport(
        int received, int created, int updated, int unchanged, List<SkippedRow> suppressed, List<RejectedRow> rejected) {

    /** A valid row for an address that unsubscribed, bounced or complained: left as it is, never re-activated. */
    public record SkippedRow(int row, String email, String status) {}

    public record RejectedRow(int row, String field, String reason) {}
}
