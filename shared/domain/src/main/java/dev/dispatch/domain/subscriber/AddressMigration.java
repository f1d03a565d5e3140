package dev.dispatch.domain.subscriber;

import java.time.Instant;

/**
 * Moves the records earlier versions keyed by an address's {@link EmailAddress#legacyKey() legacy key} to its
 * {@link EmailAddress#key() identity}, merging the profiles of one person. Resumable and idempotent: it may be run
 * again, from several places at once, and stopped anywhere.
 *
 * <p>Send paths depend on it: a campaign is enqueued only once the migration is complete (segment indexes are then
 * in identity order, and nobody is in a segment twice), and a batch is sent only once every suppression is under
 * its identity (the check can't miss a suppression an earlier version wrote in another letter case).
 */
public interface AddressMigration {

    /** Every suppression can be found under its identity. Never goes back to false. */
    boolean suppressionsMoved();

    /** Every record is under its identity. Never goes back to false. */
    boolean complete();

    /** Works until complete or the deadline; whether it is complete. */
    boolean runUntil(Instant deadline);
}
