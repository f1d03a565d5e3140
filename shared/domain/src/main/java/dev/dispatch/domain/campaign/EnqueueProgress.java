package dev.dispatch.domain.campaign;

/**
 * The durable cursor of enqueue-campaign. The target segments are walked together in address order (a merge of
 * their sorted memberships), so the cursor is one position in address space: every address at or before
 * {@code afterEmail} has been put into a batch numbered below {@code nextBatch} or recorded as skipped, and no
 * address after it has. It only moves after the batches it covers are in the send ledger and on the send queue.
 *
 * <p>{@code legacyBound}: for a campaign an earlier version was enqueueing when the address migration ran. That
 * version walked addresses in the order of their legacy keys ({@link
 * dev.dispatch.domain.subscriber.EmailAddress#legacyKey()}), a different order; its cursor became this bound and the
 * walk starts again in identity order, skipping everyone whose legacy key is at or before it (already handled).
 *
 * <p>{@code walk}: which walk of the audience the cursor is on. Every campaign has walk {@value #FIRST_WALK}; an A/B
 * test's first walk enqueues only its sample, and once the test is decided the cursor starts again from the first
 * address as walk {@value #REMAINDER_WALK}, which enqueues everyone else with the decided variant (batch numbers go on
 * from the sample's). The walk is stored with the cursor and changed with it in one conditional write.
 */
public record EnqueueProgress(String afterEmail, int nextBatch, boolean complete, String legacyBound, int walk) {
    public static final int FIRST_WALK = 0;
    public static final int REMAINDER_WALK = 1;
    public static final EnqueueProgress START = new EnqueueProgress(null, 0, false, null);

    public EnqueueProgress(String afterEmail, int nextBatch, boolean complete, String legacyBound) {
        this(afterEmail, nextBatch, complete, legacyBound, FIRST_WALK);
    }

    public EnqueueProgress(String afterEmail, int nextBatch, boolean complete) {
        this(afterEmail, nextBatch, complete, null);
    }

    /** The same walk, moved to a new position. */
    EnqueueProgress movedTo(String newAfterEmail, int newNextBatch, boolean newComplete) {
        return new EnqueueProgress(newAfterEmail, newNextBatch, newComplete, legacyBound, walk);
    }
}
