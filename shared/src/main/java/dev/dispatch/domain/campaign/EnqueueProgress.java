package dev.dispatch.domain.campaign;

/**
 * The durable cursor of enqueue-campaign. The target segments are walked together in address order (a merge of
 * their sorted memberships), so the cursor is one position in address space: every address at or before
 * {@code afterEmail} has been put into a batch numbered below {@code nextBatch} or recorded as skipped, and no
 * address after it has. It only moves after the batches it covers are in the send ledger and on the send queue.
 */
public record EnqueueProgress(String afterEmail, int nextBatch, boolean complete) {
    public static final EnqueueProgress START = new EnqueueProgress(null, 0, false);
}
