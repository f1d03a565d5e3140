package dev.dispatch.domain.engagement;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One journal entry per queued batch of events (an SQS message, by its id, which stays the same on every
 * redelivery): what applying the batch commits to each subscriber's state, and which folded increments are made.
 * It lets a batch's counter increments be one update per counter item and still count each event once without
 * transactions: a redelivery after a crash finds here which subscribers the batch had saved and which increments it
 * had made, and makes only the rest. It holds event positions in the batch, never addresses.
 */
public interface EngagementJournal {

    /**
     * What the batch applies to one subscriber: written before that subscriber's state is saved.
     *
     * @param events positions (in the batch's distinct events) of the events applied to this subscriber, in order
     * @param version the stored state version the save is conditional on
     * @param moves the lifecycle moves the save makes ({@link LifecycleMoves#encode}), "" if none
     * @param suppressions the suppressions the events call for, as {@code <SubscriberStatus name>|<why>}
     */
    record Entry(List<Integer> events, long version, String moves, List<String> suppressions) {
        public Entry {
            events = List.copyOf(events);
            moves = moves == null ? "" : moves;
            suppressions = List.copyOf(suppressions);
        }
    }

    /**
     * @param plan by subscriber (the position of the subscriber's first event in the batch): its entry
     * @param done the folded increments already made (their part names)
     * @param finished every step of the batch is done: a redelivery has nothing left to do
     */
    record Journal(Map<String, Entry> plan, Set<String> done, boolean finished) {
        public Journal {
            plan = Map.copyOf(plan);
            done = Set.copyOf(done);
        }

        public static Journal empty() {
            return new Journal(Map.of(), Set.of(), false);
        }
    }

    /**
     * Leases the batch to {@code owner} until {@code leaseUntil} unless another attempt holds it, creating the entry
     * if it is new.
     *
     * @return what earlier attempts left ({@link Journal#empty()} for a new batch); null when another attempt holds
     *     the lease right now
     */
    Journal open(String batchId, String owner, Instant leaseUntil, Instant now);

    /** Sets the plans of several subscribers at once (only by the lease owner). */
    void plan(String batchId, String owner, Map<String, Entry> entries);

    /** Sets (or, with null, removes) one subscriber's plan (only by the lease owner). */
    void replan(String batchId, String owner, String subscriber, Entry entry);

    /** Notes that the folded increment {@code part} is made (only by the lease owner). */
    void markDone(String batchId, String owner, String part);

    /** Notes that the batch is wholly applied, and gives up the lease. */
    void finish(String batchId, String owner);

    /** Gives up the lease after a failure, so that the retry needn't wait for it to expire. Best effort. */
    void release(String batchId, String owner);
}
