package dev.dispatch.domain.campaign;

import dev.dispatch.domain.campaign.SendTimePlanner.Entry;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A send-time campaign's plan: the audience snapshotted into immutable numbered pages (each recipient with its zone and
 * local time), then released wave by wave as ledger batches when each wave's instant comes. Every write is
 * conditional: a page is written once, and the progress moves only from the version it was read at.
 */
public interface WavePlan {

    /** One page of the snapshot; {@code coversUpTo} is the audience cursor (address) it ends at. */
    record Page(List<Entry> entries, String coversUpTo, int skippedSuppressed, int skippedExcluded) {
        public Page {
            entries = List.copyOf(entries);
        }
    }

    /** A wave as shown: its instant, its recipients and when it was enqueued (null: not yet). */
    record Wave(Instant at, int recipients, Instant enqueuedAt) {}

    /**
     * The plan's durable cursor: the audience walk ({@code afterEmail}, {@code nextPage}, {@code collected}), the
     * moment the plan starts from ({@code start}, fixed by the first write), the waves (fixed once collected), and the
     * release ({@code releasedThrough}: the {@link SendTimePlanner#cursor} of the last recipient put into a batch;
     * {@code nextBatch}: the next ledger batch number). {@code version} guards the moves (0 = not stored yet).
     */
    record Progress(String afterEmail, int nextPage, boolean collected, Instant start, List<Wave> waves,
            String releasedThrough, int nextBatch, long version) {
        public static final Progress START = new Progress(null, 0, false, null, List.of(), null, 0, 0);

        public Progress {
            waves = List.copyOf(waves);
        }

        Progress collectedPage(String after, boolean last) {
            return new Progress(after, nextPage + 1, last, start, waves, releasedThrough, nextBatch, version);
        }

        Progress withWaves(List<Wave> newWaves) {
            return new Progress(afterEmail, nextPage, collected, start, newWaves, releasedThrough, nextBatch, version);
        }

        Progress released(String through, int next) {
            return new Progress(afterEmail, nextPage, collected, start, waves, through, next, version);
        }

        /** This progress as stored after a successful {@link #advance} from {@code expected}. */
        Progress storedAfter(Progress expected) {
            return new Progress(afterEmail, nextPage, collected, start, waves, releasedThrough, nextBatch,
                    expected.version() + 1);
        }
    }

    /** Stores page {@code number} unless it exists (false then: a re-run keeps the stored page). */
    boolean putPage(String campaignId, int number, Page page);

    Optional<Page> page(String campaignId, int number);

    /** The stored progress, {@link Progress#START} if none. */
    Progress progress(String campaignId);

    /** Stores {@code next} as version {@code expected.version() + 1} if the stored version is still the expected one. */
    boolean advance(String campaignId, Progress expected, Progress next);
}
