package dev.dispatch.domain.subscriber;

import dev.dispatch.domain.ConflictException;
import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.NotFoundException;
import dev.dispatch.domain.consent.OptInPolicy;
import dev.dispatch.domain.consent.OptInPolicy.Origin;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
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
    /** Null: no double opt-in and no consent records (tools, tests of other things). */
    private final OptInPolicy optIns;

    public SubscriberService(SubscriberStore store, SubscriberCounters counters, Clock clock) {
        this(store, counters, clock, null);
    }

    public SubscriberService(SubscriberStore store, SubscriberCounters counters, Clock clock, OptInPolicy optIns) {
        this.store = store;
        this.counters = counters;
        this.clock = clock;
        this.optIns = optIns;
    }

    public Subscriber add(EmailAddress email, SubscriberDetails details, String source) {
        return add(email, details, source, Origin.of("api", null));
    }

    /**
     * Adds a subscriber. Segments that ask for double opt-in are held as pending and their confirmation mail is
     * queued after the profile is stored (once, see {@link dev.dispatch.domain.consent.ConfirmationMail}).
     */
    public Subscriber add(EmailAddress email, SubscriberDetails details, String source, Origin origin) {
        Subscriber candidate = Subscriber.create(email, details, source == null ? "api" : source, clock.instant());
        if (store.find(email).map(s -> s.status() == SubscriberStatus.ERASED).orElse(false)) {
            throw new ConflictException(ERASED_REASON);
        }
        OptInPolicy.Decision decision = optIns == null ? null : optIns.decide(null, candidate, true, origin);
        if (decision != null) {
            candidate = decision.subscriber();
        }
        store.addMemberships(memberships(email, candidate.segments()));
        if (!store.createProfile(candidate)) {
            Subscriber existing = store.find(email).orElseThrow(() -> new ConflictException("subscriber changed concurrently; retry"));
            throw new ConflictException("a subscriber with this email already exists (status " + existing.status().wireName() + ")");
        }
        Subscriber created = store.find(email).orElse(candidate);
        counters.apply(new CounterDelta().record(null, created));
        if (decision != null) {
            optIns.sendConfirmations(created.email(), decision);
        }
        return created;
    }

    public Subscriber get(EmailAddress email) {
        return store.find(email).orElseThrow(() -> notFound());
    }

    public Subscriber update(EmailAddress email, SubscriberDetails patch) {
        return update(email, patch, Origin.of("api", null));
    }

    /** PUT: segments it adds that ask for double opt-in become pending, as for {@link #add}. */
    public Subscriber update(EmailAddress email, SubscriberDetails patch, Origin origin) {
        for (int attempt = 0; attempt < MAX_CONCURRENT_UPDATE_ATTEMPTS; attempt++) {
            Subscriber current = get(email);
            if (current.status() == SubscriberStatus.ERASED) {
                throw new ConflictException(ERASED_REASON);
            }
            Subscriber updated = current.replacing(patch, clock.instant());
            OptInPolicy.Decision decision = null;
            if (optIns != null) {
                decision = optIns.decide(current, updated, patch.segments() != null, origin);
                updated = decision.subscriber();
            }
            if (updated == current) {
                if (decision != null) {
                    optIns.sendConfirmations(current.email(), decision);
                }
                return current;
            }
            Set<String> added = difference(updated.segments(), current.segments());
            Set<String> removed = difference(current.segments(), updated.segments());
            // The stored address, not the path's spelling of it: an earlier version's entries are keyed by it.
            store.addMemberships(memberships(current.email(), added));
            if (store.replaceProfile(updated, current.updatedAt())) {
                store.removeMemberships(memberships(current.email(), removed));
                counters.apply(new CounterDelta().record(current, updated));
                if (decision != null) {
                    optIns.sendConfirmations(current.email(), decision);
                }
                return updated;
            }
            // Someone else changed the profile between our read and write: read again and re-apply the patch.
        }
        throw new ConflictException("the subscriber is being changed concurrently; retry");
    }

    /** What a confirmation link did. */
    public enum Confirmation {
        CONFIRMED, ALREADY_CONFIRMED, EXPIRED, SUPPRESSED, UNKNOWN
    }

    /**
     * The confirmation link was used (POST, never GET): the pending segment becomes a membership, with a
     * {@code confirmed} consent record (the click's IP and user agent, the consent text of the request). The
     * membership is written before the profile that claims it, as everywhere.
     */
    public Confirmation confirm(EmailAddress email, String segment, Origin origin) {
        for (int attempt = 0; attempt < MAX_CONCURRENT_UPDATE_ATTEMPTS; attempt++) {
            Optional<Subscriber> found = store.find(email);
            if (found.isEmpty() || found.get().createdAt() == null) {
                return found.isPresent() && found.get().status().suppressed() ? Confirmation.SUPPRESSED : Confirmation.UNKNOWN;
            }
            Subscriber current = found.get();
            if (current.status().suppressed()) {
                return Confirmation.SUPPRESSED;
            }
            if (current.segments().contains(segment)) {
                return Confirmation.ALREADY_CONFIRMED;
            }
            Instant now = clock.instant();
            PendingOptIn pending = current.optIns().pendingFor(segment, now);
            if (pending == null) {
                return Confirmation.EXPIRED;
            }
            ConsentRecord requested = current.optIns().latest(segment, ConsentRecord.Action.REQUESTED);
            ConsentRecord confirmed = new ConsentRecord(segment, now, ConsentRecord.Action.CONFIRMED, origin.method(),
                    origin.source(), origin.ip(), origin.userAgent(), requested == null ? null : requested.text(),
                    requested == null ? null : requested.version());
            java.util.SortedMap<String, PendingOptIn> open = current.optIns().open(now);
            open.remove(segment);
            java.util.SortedSet<String> segments = new TreeSet<>(current.segments());
            segments.add(segment);
            Subscriber after = current.withSegmentsAndOptIns(segments, current.optIns().with(open, List.of(confirmed)), now);
            store.addMemberships(memberships(current.email(), Set.of(segment)));
            if (store.replaceProfile(after, current.updatedAt())) {
                counters.apply(new CounterDelta().record(current, after));
                return Confirmation.CONFIRMED;
            }
        }
        throw new ConflictException("the subscriber is being changed concurrently; retry");
    }

    /**
     * The preference center: leaves the given segments (and pending requests for them), each with a
     * {@code withdrawn} consent record. Segments the profile does not hold are ignored.
     */
    public Subscriber leave(EmailAddress email, Set<String> segmentsToLeave, Origin origin) {
        for (int attempt = 0; attempt < MAX_CONCURRENT_UPDATE_ATTEMPTS; attempt++) {
            Subscriber current = get(email);
            if (current.status() == SubscriberStatus.ERASED) {
                throw new ConflictException(ERASED_REASON);
            }
            Instant now = clock.instant();
            java.util.SortedMap<String, PendingOptIn> open = current.optIns().open(now);
            java.util.SortedSet<String> segments = new TreeSet<>(current.segments());
            List<ConsentRecord> withdrawn = new ArrayList<>();
            for (String segment : segmentsToLeave) {
                boolean held = segments.remove(segment);
                held |= open.remove(segment) != null;
                if (held) {
                    withdrawn.add(new ConsentRecord(segment, now, ConsentRecord.Action.WITHDRAWN, origin.method(),
                            origin.source(), origin.ip(), origin.userAgent(), null, null));
                }
            }
            if (withdrawn.isEmpty()) {
                return current;
            }
            Subscriber after = current.withSegmentsAndOptIns(segments, current.optIns().with(open, withdrawn), now);
            if (store.replaceProfile(after, current.updatedAt())) {
                store.removeMemberships(memberships(current.email(), difference(current.segments(), segments)));
                counters.apply(new CounterDelta().record(current, after));
                return after;
            }
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
