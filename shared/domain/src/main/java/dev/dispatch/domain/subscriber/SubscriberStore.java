package dev.dispatch.domain.subscriber;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * Where subscribers live. Profiles, segment memberships and suppressions are separate records: memberships are an
 * index that may briefly hold stale entries (readers check the profile), and suppressions are written only by
 * unsubscribe/bounce/complaint paths, never by profile writes.
 */
public interface SubscriberStore {

    Optional<Subscriber> find(EmailAddress email);

    /** Profiles with their suppressions, for up to any number of addresses; absent addresses are left out. */
    Map<EmailAddress, Subscriber> findAll(Collection<EmailAddress> emails);

    /**
     * As {@link #findAll} but without reading the erasure records: an address erased in a race with a write of its
     * profile reads as that profile. Only for a provisional choice that is checked with {@link #findAll} before
     * anything is sent (enqueue-campaign's audience walk; send-batch checks each recipient again).
     */
    default Map<EmailAddress, Subscriber> findAllExceptErasures(Collection<EmailAddress> emails) {
        return findAll(emails);
    }

    /** Writes the profile if the address has none yet; false if it has one. */
    boolean createProfile(Subscriber subscriber);

    /** Replaces the profile only if its stored updatedAt still equals {@code expectedUpdatedAt}. */
    boolean replaceProfile(Subscriber subscriber, Instant expectedUpdatedAt);

    /** Writes many profiles in batches, unconditionally (the caller has read them first). */
    void writeProfiles(Collection<Subscriber> subscribers);

    void addMemberships(Collection<SegmentMembership> memberships);

    void removeMemberships(Collection<SegmentMembership> memberships);

    /** Records a suppression unless one exists; false if the address was already suppressed. */
    boolean addSuppression(Suppression suppression);

    /** Lifts a suppression only if it has the expected reason; false otherwise. */
    boolean removeSuppression(EmailAddress email, SubscriberStatus expectedReason);

    /**
     * Up to {@code limit} addresses listed in a segment's membership index after {@code after} (null: from the
     * start), in address order. The index may hold stale entries: check the profiles.
     */
    java.util.List<EmailAddress> segmentMembersAfter(String segment, EmailAddress after, int limit);

    /** A page of a segment, by a cursor from the previous page (null for the first). */
    SegmentPage segmentPage(String segment, String cursor, int limit);
}
