package dev.dispatch.domain.engagement;

import dev.dispatch.domain.subscriber.EmailAddress;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Engagement records: each subscriber's event history and state, and what happened to each campaign message.
 * Applying an event is leased through its history entry, so that copies of one event delivered at the same time
 * are never applied side by side.
 */
public interface EngagementStore {

    enum Status {
        /** The caller holds the lease and applies the event (new, or an earlier attempt failed or died). */
        OWNED,
        /** Already applied: a duplicate. */
        APPLIED,
        /** Another attempt holds the lease right now. */
        BUSY
    }

    /**
     * @param status what the caller may do
     * @param counted for {@link Status#OWNED}: the increments an earlier attempt already made (see {@link #markCounted})
     * @param lifecycle for {@link Status#OWNED}: the lifecycle moves an earlier attempt noted (see {@link #noteLifecycle}),
     *     "" if none
     */
    record Claim(Status status, Set<String> counted, String lifecycle) {
        public Claim {
            counted = Set.copyOf(counted);
            lifecycle = lifecycle == null ? "" : lifecycle;
        }

        public Claim(Status status, Set<String> counted) {
            this(status, counted, "");
        }

        public static Claim of(Status status) {
            return new Claim(status, Set.of());
        }
    }

    /**
     * Adds the event to its recipient's history unless it is there, and leases applying it to {@code owner} until
     * {@code leaseUntil} if nobody else holds it and it is not applied yet.
     */
    Claim claim(EngagementEvent event, String eventKey, String owner, Instant leaseUntil, Instant now);

    /** Notes on the event (only by its lease owner) that the increments named {@code step} are made. */
    void markCounted(EngagementEvent event, String eventKey, String owner, String step);

    /**
     * Notes on the event (only by its lease owner) the lifecycle moves ({@link LifecycleMoves#encode}) that saving
     * the subscriber's next state makes: written before that save, so a retry that finds the state saved makes the
     * same moves, once.
     */
    void noteLifecycle(EngagementEvent event, String eventKey, String owner, String moves);

    /** Of the given events (by key), those already applied: one read for many, so duplicates cost little. */
    Set<String> applied(Map<String, EngagementEvent> eventsByKey);

    /** Gives up the lease after a failure, so that the retry needn't wait for it to expire. Best effort. */
    void release(EngagementEvent event, String eventKey, String owner);

    /** Marks the event applied (only by its lease owner). */
    void markApplied(EngagementEvent event, String eventKey, String owner);

    /** The subscriber's engagement, or {@link SubscriberEngagement#none} if nothing was recorded yet. */
    SubscriberEngagement engagement(EmailAddress email);

    /** Stores {@code next} if the stored version still is {@code next.version()}; false if someone got there first. */
    boolean saveEngagement(SubscriberEngagement next);

    /**
     * Records the event on its (campaign, recipient) entry, once: a second call for the same key changes nothing.
     *
     * @return whether {@code eventKey} is the first event named {@code counter} for this recipient (the same answer on
     *     every call for the same key)
     */
    boolean recordCampaignEvent(String campaignId, EmailAddress recipient, String counter, String eventKey);

    /** A page of the subscriber's events, newest first. */
    HistoryPage history(EmailAddress email, String cursor, int limit);

    /**
     * A subscriber's stored state and the tags of the last {@link #BATCH_TAGS} batches that saved it (newest last):
     * a batch that finds its tag knows its save went through, even when the answer was lost or it crashed after.
     */
    record Tagged(SubscriberEngagement state, List<String> batches) {
        public Tagged {
            batches = List.copyOf(batches);
        }
    }

    /** How many savers' tags a state keeps. */
    int BATCH_TAGS = 16;

    /** The states of {@code emails} with their tags ({@link SubscriberEngagement#none} when nothing is stored): one read for many. */
    default Map<EmailAddress, Tagged> tagged(Collection<EmailAddress> emails) {
        Map<EmailAddress, Tagged> states = new LinkedHashMap<>();
        emails.forEach(email -> states.put(email, new Tagged(engagement(email), List.of())));
        return states;
    }

    /** As {@link #saveEngagement(SubscriberEngagement)}, storing {@code batches} as the state's tags. */
    default boolean saveEngagement(SubscriberEngagement next, List<String> batches) {
        return saveEngagement(next);
    }

    /**
     * Writes the history entries of events applied by a batch (by key), marked applied: written whole and
     * unconditionally, so that writing them again changes nothing.
     */
    default void recordApplied(Map<String, EngagementEvent> eventsByKey, Instant now) {
        throw new UnsupportedOperationException("this store does not write history entries in batches");
    }
}
