package dev.dispatch.domain.campaign;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** Campaigns, their enqueue cursor and their delivery counters. Every move is a conditional write. */
public interface CampaignStore {

    /** Stores a new campaign; false if the id is taken. */
    boolean create(Campaign campaign);

    Optional<Campaign> find(String id);

    /** Moves the status only if it is still {@code from}; false otherwise (someone else moved it). */
    boolean transition(String id, CampaignStatus from, CampaignStatus to, Instant sendAt, Instant now);

    /**
     * Moves the cursor only if it still equals {@code expected}, adding {@code counters} (named as in
     * {@link #addCounters}) in the same atomic write; false, and nothing counted, if another invocation moved it.
     */
    boolean advance(String id, EnqueueProgress expected, EnqueueProgress next, Map<String, Long> counters);

    /**
     * Starts the A/B test's remainder walk: moves a complete first-walk cursor equal to {@code expected} to
     * {@code next} (walk {@link EnqueueProgress#REMAINDER_WALK}, from the first address). False if it is not (any more)
     * that cursor.
     */
    boolean restart(String id, EnqueueProgress expected, EnqueueProgress next);

    /** The A/B test's stored moments and decision (empty parts before they are fixed). */
    AbTestState abTestState(String id);

    /** Fixes when the A/B test decides, once: the stored time wins over {@code decideAt} if there is one. */
    Instant fixAbTestDecideAt(String id, Instant decideAt);

    /** Stores the A/B test's decision once: a decision stored before wins and is returned instead. */
    AbTestDecision fixAbTestDecision(String id, AbTestDecision decision);

    /** Adds to named counters (atomic ADD), e.g. sent, rejected, skippedSuppressed, batchesDone. */
    void addCounters(String id, Map<String, Long> deltas);

    Map<String, Long> counters(String id);
}
