package dev.dispatch.domain.campaign;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One send batch in the ledger: its fixed recipients and each one's result once known. {@code coversUpTo} is the
 * enqueue cursor position this batch ends at (recipients and skipped addresses included), so a re-run of an
 * enqueue page continues exactly where the stored batch ends. {@code inflight} lists the recipients of a provider
 * call that started but whose answer was not recorded yet; {@code owner} and {@code leaseUntil} say which
 * invocation works on it. {@code overflow} is the route fixed for a batch over a warming plan's allowance (null:
 * routed the normal way). {@code skippedSuppressed} and {@code skippedExcluded} count the audience enqueue skipped in
 * the batch's range of addresses.
 */
public record LedgerBatch(
        String campaignId,
        int batch,
        List<LedgerRecipient> recipients,
        String coversUpTo,
        State state,
        String owner,
        Instant leaseUntil,
        List<String> inflight,
        Map<String, RecipientResult> results,
        OverflowRoute overflow,
        int skippedSuppressed,
        int skippedExcluded) {

    public enum State {
        PENDING,
        CLAIMED,
        DONE
    }

    public List<LedgerRecipient> unresolved() {
        return recipients.stream().filter(r -> !results.containsKey(r.email())).toList();
    }
}
