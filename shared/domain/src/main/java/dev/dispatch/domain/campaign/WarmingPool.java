package dev.dispatch.domain.campaign;

import dev.dispatch.domain.warming.EngagementRank;
import java.util.List;
import java.util.Optional;

/**
 * A campaign's warming pool: while a warming plan caps the campaign's provider, enqueue-campaign first snapshots the
 * audience into immutable numbered pages (each recipient with its variant and engagement rank), then releases them
 * in rank order as ledger batches, as far as the plan's allowance goes. Every write is conditional: the mode is
 * fixed once, a page once, and the progress moves only from the state it was read in.
 */
public interface WarmingPool {

    /** How a campaign is enqueued, decided at its first enqueue wake-up and kept for its whole life. */
    record Mode(boolean pooled, String plan) {
        public static final Mode NORMAL = new Mode(false, null);

        public static Mode pooledBy(String plan) {
            return new Mode(true, plan);
        }
    }

    /** A recipient snapshotted into the pool: its rank (whose key is the address key) and its A/B variant. */
    record Entry(EngagementRank rank, String variant) {}

    /**
     * One page of the snapshot.
     *
     * @param coversUpTo the audience cursor (address) the page ends at
     */
    record Page(List<Entry> entries, String coversUpTo, int skippedSuppressed, int skippedExcluded) {
        public Page {
            entries = List.copyOf(entries);
        }
    }

    /**
     * The pool's durable cursor: the audience walk ({@code afterEmail}, {@code nextPage}, {@code collected}) and the
     * release ({@code releasedThrough}: the encoded rank of the last recipient put into a batch, null if none;
     * {@code nextBatch}: the next ledger batch number). It moves only after the page, or the batches and their queue
     * messages, are stored. {@code version} guards the conditional moves (0 = not stored yet).
     */
    record Progress(String afterEmail, int nextPage, boolean collected, String releasedThrough, int nextBatch,
            long version) {
        public static final Progress START = new Progress(null, 0, false, null, 0, 0);

        public Progress collectedPage(String after, boolean last) {
            return new Progress(after, nextPage + 1, last, releasedThrough, nextBatch, version);
        }

        public Progress released(String through, int next) {
            return new Progress(afterEmail, nextPage, collected, through, next, version);
        }

        /** This progress as stored after a successful {@link #advance} from {@code expected}. */
        public Progress storedAfter(Progress expected) {
            return new Progress(afterEmail, nextPage, collected, releasedThrough, nextBatch, expected.version() + 1);
        }
    }

    /** The campaign's stored mode, if decided. */
    Optional<Mode> mode(String campaignId);

    /** Stores {@code proposed} unless a mode is stored; returns the stored mode (the first writer wins). */
    Mode fixMode(String campaignId, Mode proposed);

    /** Stores page {@code number} unless it exists (false then: a re-run keeps the stored page). */
    boolean putPage(String campaignId, int number, Page page);

    Optional<Page> page(String campaignId, int number);

    /** The stored progress, {@link Progress#START} if none. */
    Progress progress(String campaignId);

    /** Stores {@code next} as version {@code expected.version() + 1} if the stored version is still the expected one. */
    boolean advance(String campaignId, Progress expected, Progress next);
}
