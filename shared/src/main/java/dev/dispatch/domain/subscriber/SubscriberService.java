package dev.dispatch.domain.subscriber;

import dev.dispatch.domain.ConflictException;
import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.NotFoundException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Subscriber use cases. Write order matters because there are no transactions: memberships for new segments are
 * written before the profile that claims them, and memberships are removed only after the profile stopped claiming
 * them, so the segment index never misses a member (it may briefly list extra ones, which readers filter out).
 */
public class SubscriberService {
    public static final int MAX_PAGE_SIZE = 500;
    /** Why an erased address is refused (the API's 409, an import's row error); names no one. */
    public static final String ERASED_REASON =
            "this address was erased at the person's request (POST /subscribers/{email}/erase) and can't be added again";
    private static final int MAX_CONCURRENT_UPDATE_ATTEMPTS = 5;

    private final SubscriberStore store;
    private final SubscriberCounters counters;
    private final Clock clock;

    public SubscriberService(SubscriberStore store, SubscriberCounters counters, Clock clock) {
        this.store = store;
        this.counters = counters;
        this.clock = clock;
    }

    public Subscriber add(EmailAddress email, SubscriberDetails details, String source) {
        Subscriber candidate = Subscriber.create(email, details, source == null ? "api" : source, clock.instant());
        if (store.find(email).map(s -> s.status() == SubscriberStatus.ERASED).orElse(false)) {
            throw new ConflictException(ERASED_REASON);
        }
        store.addMemberships(memberships(email, candidate.segments()));
        if (!store.createProfile(candidate)) {
            Subscriber existing = store.find(email).orElseThrow(() -> new ConflictException("subscriber changed concurrently; retry"));
            throw new ConflictException("a subscriber with this email already exists (status " + existing.status().wireName() + ")");
        }
        Subscriber created = store.find(email).orElse(candidate);
        counters.apply(new CounterDelta().record(null, created));
        return created;
    }

    public Subscriber get(EmailAddress email) {
        return store.find(email).orElseThrow(() -> notFound());
    }

    public Subscriber update(EmailAddress email, SubscriberDetails patch) {
        for (int attempt = 0; attempt < MAX_CONCURRENT_UPDATE_ATTEMPTS; attempt++) {
            Subscriber current = get(email);
            if (current.status() == SubscriberStatus.ERASED) {
                throw new ConflictException(ERASED_REASON);
            }
            Subscriber updated = current.replacing(patch, clock.instant());
            if (updated == current) {
                return current;
            }
            Set<String> added = difference(updated.segments(), current.segments());
            Set<String> removed = difference(current.segments(), updated.segments());
            // The stored address, not the path's spelling of it: an earlier version's entries are keyed by it.
            store.addMemberships(memberships(current.email(), added));
            if (store.replaceProfile(updated, current.updatedAt())) {
                store.removeMemberships(memberships(current.email(), removed));
                counters.apply(new CounterDelta().record(current, updated));
                return updated;
            }
            // Someone else changed the profile between our read and write: read again and re-apply the patch.
        }
        throw new ConflictException("the subscriber is being changed concurrently; retry");
    }

    /** Suppresses the address for good (the profile stays, as a tombstone). Idempotent. */
    public Subscriber unsubscribe(EmailAddress email, String source) {
        Subscriber current = get(email);
        if (current.status().suppressed()) {
            return current;
        }
        Subscriber after = suppressOnce(current.email(), current, SubscriberStatus.UNSUBSCRIBED, source);
        return after != null ? after : get(email);
    }

    /**
     * Suppresses an address for a provider's report (bounce, complaint, unsubscribe), whether or not it has a
     * profile: mail to it must stop either way. Idempotent; an existing suppression is kept as it is.
     */
    public void suppress(EmailAddress email, SubscriberStatus reason, String source) {
        Optional<Subscriber> current = store.find(email);
        if (current.isPresent() && current.get().status().suppressed()) {
            return;
        }
        suppressOnce(current.map(Subscriber::email).orElse(email), current.orElse(null), reason, source);
    }

    /**
     * Records the suppression unless one exists. Only the writer whose conditional put won moves the counters, so a
     * retry never counts twice.
     *
     * @param current the profile, or null for an address without one (no counters to move)
     * @return the profile as suppressed, or null if another writer got there first or there is no profile
     */
    private Subscriber suppressOnce(EmailAddress email, Subscriber current, SubscriberStatus reason, String source) {
        Suppression suppression = new Suppression(email, reason, clock.instant(), source);
        if (!store.addSuppression(suppression) || current == null) {
            return null;
        }
        Subscriber after = current.withSuppression(suppression);
        counters.apply(new CounterDelta().record(current, after));
        return after;
    }

    /** The explicit way back for someone who unsubscribed. Bounced and complained addresses stay suppressed. */
    public Subscriber resubscribe(EmailAddress email) {
        Subscriber current = get(email);
        switch (current.status()) {
            case ACTIVE:
                return current;
            case UNSUBSCRIBED:
                if (store.removeSuppression(current.email(), SubscriberStatus.UNSUBSCRIBED)) {
                    // Read again: a stronger suppression under another of the address's keys stays.
                    Subscriber after = get(email);
                    counters.apply(new CounterDelta().record(current, after));
                    return after;
                }
                return get(email);
            case ERASED:
                throw new ConflictException(ERASED_REASON);
            default:
                throw new ConflictException("the address is suppressed because it " + current.status().wireName()
                        + "; it can't be re-subscribed");
        }
    }

    public SegmentPage segment(String segment, String cursor, Integer limit) {
        String name = SubscriberRules.segment("segment", segment);
        int size = limit == null ? 100 : limit;
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new InvalidInputException("limit", "must be between 1 and " + MAX_PAGE_SIZE);
        }
        return store.segmentPage(name, cursor, size);
    }

    public SubscriberStats stats() {
        return counters.read();
    }

    static List<SegmentMembership> memberships(EmailAddress email, Set<String> segments) {
        return segments.stream().map(s -> new SegmentMembership(s, email)).toList();
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> result = new TreeSet<>(a);
        result.removeAll(b);
        return result;
    }

    private static NotFoundException notFound() {
        return new NotFoundException("no subscriber with this email");
    }
}
