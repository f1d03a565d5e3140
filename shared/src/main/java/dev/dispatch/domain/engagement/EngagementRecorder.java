package dev.dispatch.domain.engagement;

import dev.dispatch.domain.campaign.BatchSender;
import dev.dispatch.domain.campaign.CampaignStore;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.SubscriberService;
import dev.dispatch.domain.subscriber.SubscriberStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Applies one verified event, once, whatever the number of copies delivered and however often a failed attempt is
 * retried:
 *
 * <ol>
 *   <li>its history entry is written if absent and leased to this attempt; an applied entry means a duplicate
 *       (nothing changes), a lease held elsewhere means a copy is being applied right now (wait, then retry later);
 *   <li>the subscriber's state (score, last activity, soft-bounce streak) is updated by optimistic concurrency,
 *       carrying the event's key, so re-applying it changes nothing; the lifecycle moves it makes
 *       ({@link LifecycleMoves}) are noted on the entry before the save, added to {@link LifecycleStats} after it,
 *       and the entry notes that they were;
 *   <li>a hard bounce, a complaint, an unsubscribe or {@code softBounceLimit} soft bounces in a row suppress the
 *       address (idempotent);
 *   <li>the (campaign, recipient) entry records the event once and tells whether it is the recipient's first of
 *       its kind (unique counts);
 *   <li>the campaign's counters are incremented and the entry notes it; the provider's daily counters are
 *       incremented and the entry is marked applied.
 * </ol>
 *
 * <p>Increments are not idempotent by themselves (no transactions on the local stand-in, and a counter item can't
 * hold every event id), so each is followed by a note on the entry: a retry skips the increments noted. What
 * remains is the window between one increment and its note - an increment whose answer was lost, or a function
 * dying right there - where a retry counts the event again. Every other failure is retried from the top and
 * counts once.
 */
public final class EngagementRecorder {

    public enum Outcome {
        APPLIED,
        DUPLICATE,
        /** The recipient was erased: the event is dropped, so nothing of the address is written again. */
        ERASED
    }

    /** A copy of the event is being applied by another attempt right now: retry later. */
    public static final class EventBusyException extends RuntimeException {
        public EventBusyException(String message) {
            super(message);
        }
    }

    private static final int BUSY_CHECKS = 20;
    private static final Duration BUSY_WAIT = Duration.ofMillis(250);
    private static final int SAVE_ATTEMPTS = 10;
    private static final String CAMPAIGN_STEP = "campaign";
    private static final String LIFECYCLE_STEP = "lifecycle";

    private final EngagementStore store;
    private final SubscriberService subscribers;
    private final CampaignStore campaigns;
    private final DeliveryStats stats;
    private final LifecycleStats lifecycle;
    private final int softBounceLimit;
    private final Clock clock;
    private final Duration lease;
    private final BatchSender.Sleeper sleeper;
    private final Predicate<EmailAddress> erased;

    /** As below, for a platform where nobody is erased. */
    public EngagementRecorder(EngagementStore store, SubscriberService subscribers, CampaignStore campaigns,
            DeliveryStats stats, LifecycleStats lifecycle, int softBounceLimit, Clock clock, Duration lease,
            BatchSender.Sleeper sleeper) {
        this(store, subscribers, campaigns, stats, lifecycle, softBounceLimit, clock, lease, sleeper, email -> false);
    }

    /**
     * @param lease how long an attempt may hold an event: longer than the applying function's timeout, so that a
     *     lease is only ever taken over from an attempt that is no longer running
     * @param erased whether an address was erased: its late events (an open, a bounce) are dropped before anything is
     *     written, or the history and a suppression would hold the address again
     */
    public EngagementRecorder(EngagementStore store, SubscriberService subscribers, CampaignStore campaigns,
            DeliveryStats stats, LifecycleStats lifecycle, int softBounceLimit, Clock clock, Duration lease,
            BatchSender.Sleeper sleeper, Predicate<EmailAddress> erased) {
        if (softBounceLimit < 1) {
            throw new IllegalArgumentException("softBounceLimit must be at least 1");
        }
        this.store = store;
        this.subscribers = subscribers;
        this.campaigns = campaigns;
        this.stats = stats;
        this.lifecycle = lifecycle;
        this.softBounceLimit = softBounceLimit;
        this.clock = clock;
        this.lease = lease;
        this.sleeper = sleeper;
        this.erased = erased;
    }

    /** The event's identity: provider, the provider's event id and the recipient, hashed to 32 hex digits. */
    public static String eventKey(EngagementEvent event) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            String identity = event.provider() + '\u0000' + event.providerEventId() + '\u0000' + event.recipient().value();
            return HexFormat.of().formatHex(sha.digest(identity.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The events not applied yet, in their order: one read for all their history entries, so that the copies
     * providers deliver again skip {@link #apply}'s per-event claim. Only a shortcut: {@link #apply} decides.
     */
    public List<EngagementEvent> notYetApplied(List<EngagementEvent> events) {
        Map<String, EngagementEvent> byKey = new LinkedHashMap<>();
        events.forEach(e -> byKey.putIfAbsent(eventKey(e), e));
        Set<String> applied = byKey.isEmpty() ? Set.of() : store.applied(byKey);
        return events.stream().filter(e -> !applied.contains(eventKey(e))).toList();
    }

    public Outcome apply(EngagementEvent event) {
        if (erased.test(event.recipient())) {
            return Outcome.ERASED;
        }
        String key = eventKey(event);
        String owner = UUID.randomUUID().toString();
        try {
            EngagementStore.Claim claim = claim(event, key, owner);
            if (claim == null) {
                return Outcome.DUPLICATE;
            }
            Updated updated = updateSubscriber(event, key, owner, claim.lifecycle());
            SubscriberEngagement state = updated.state();
            if (!updated.moves().isEmpty() && !claim.counted().contains(LIFECYCLE_STEP)) {
                lifecycle.add(LifecycleMoves.decode(updated.moves()));
                store.markCounted(event, key, owner, LIFECYCLE_STEP);
            }
            suppressIfDue(event, state);
            Map<String, Long> campaignCounts = campaignCounts(event, key);
            if (!campaignCounts.isEmpty() && !claim.counted().contains(CAMPAIGN_STEP)) {
                campaigns.addCounters(event.campaignId(), campaignCounts);
                store.markCounted(event, key, owner, CAMPAIGN_STEP);
            }
            stats.add(day(event.occurredAt()), event.provider(), Map.of(statName(event.type()), 1L));
            store.markApplied(event, key, owner);
            return Outcome.APPLIED;
        } catch (RuntimeException e) {
            try {
                store.release(event, key, owner);
            } catch (RuntimeException releaseFailure) {
                e.addSuppressed(releaseFailure);
            }
            throw e;
        }
    }

    /** The claim when this attempt holds the event; null for a duplicate. */
    private EngagementStore.Claim claim(EngagementEvent event, String key, String owner) {
        for (int check = 0; check < BUSY_CHECKS; check++) {
            Instant now = clock.instant();
            EngagementStore.Claim claim = store.claim(event, key, owner, now.plus(lease), now);
            switch (claim.status()) {
                case OWNED:
                    return claim;
                case APPLIED:
                    return null;
                case BUSY:
                    try {
                        sleeper.sleep(BUSY_WAIT);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new EventBusyException("interrupted while a copy of the event was being applied");
                    }
                    break;
                default:
                    throw new IllegalStateException();
            }
        }
        throw new EventBusyException("a copy of the event is being applied by another attempt");
    }

    /** The state with the event applied, and the lifecycle moves (encoded) that applying it made. */
    private record Updated(SubscriberEngagement state, String moves) {
    }

    /**
     * The lifecycle moves are noted on the event's entry before each save that makes them: the last note is the one
     * of the last save tried (the lease keeps attempts apart), so a retry that finds the state saved - even by a save
     * whose answer was lost - counts exactly the moves that save made.
     */
    private Updated updateSubscriber(EngagementEvent event, String key, String owner, String noted) {
        String note = noted;
        for (int attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
            SubscriberEngagement current = store.engagement(event.recipient());
            if (current.hasApplied(key)) {
                return new Updated(current, note); // an earlier attempt got this far
            }
            SubscriberEngagement next = current.apply(event, key);
            String moves = LifecycleMoves.encode(LifecycleMoves.between(current, next, event.occurredAt()));
            if (!moves.equals(note)) {
                store.noteLifecycle(event, key, owner, moves);
                note = moves;
            }
            if (store.saveEngagement(next)) {
                return new Updated(next, moves);
            }
        }
        throw new IllegalStateException("the subscriber's engagement keeps changing concurrently; retry");
    }

    private void suppressIfDue(EngagementEvent event, SubscriberEngagement state) {
        SubscriberStatus reason = switch (event.type()) {
            case BOUNCED -> SubscriberStatus.BOUNCED;
            case COMPLAINED -> SubscriberStatus.COMPLAINED;
            case UNSUBSCRIBED -> SubscriberStatus.UNSUBSCRIBED;
            case SOFT_BOUNCED -> state.softBounceStreak() >= softBounceLimit ? SubscriberStatus.BOUNCED : null;
            default -> null;
        };
        if (reason != null) {
            String why = event.type() == EngagementType.SOFT_BOUNCED
                    ? state.softBounceStreak() + " soft bounces in a row"
                    : event.type().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
            subscribers.suppress(event.recipient(), reason, event.provider() + " webhook: " + why);
        }
    }

    /** The campaign counters this event moves: total, unique when first of its kind, both per variant too. */
    private Map<String, Long> campaignCounts(EngagementEvent event, String key) {
        String counter = campaignCounter(event.type());
        if (event.campaignId() == null || counter == null) {
            return Map.of();
        }
        boolean first = store.recordCampaignEvent(event.campaignId(), event.recipient(), counter, key);
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put(counter, 1L);
        if (first) {
            counts.put(uniqueName(counter), 1L);
        }
        if (event.variant() != null) {
            String prefix = "variant." + event.variant() + ".";
            counts.put(prefix + counter, 1L);
            if (first) {
                counts.put(prefix + uniqueName(counter), 1L);
            }
        }
        return counts;
    }

    /** The campaign counter of an event type, or null for types campaigns don't count. */
    public static String campaignCounter(EngagementType type) {
        return switch (type) {
            case DELIVERED -> "delivered";
            case OPENED -> "opened";
            case CLICKED -> "clicked";
            case BOUNCED -> "bounced";
            case SOFT_BOUNCED -> "softBounced";
            case COMPLAINED -> "complained";
            case UNSUBSCRIBED -> "unsubscribed";
            default -> null;
        };
    }

    /** "opened" → "uniqueOpened". */
    public static String uniqueName(String counter) {
        return "unique" + Character.toUpperCase(counter.charAt(0)) + counter.substring(1);
    }

    /** The provider's daily counter of an event type: the campaign counter's name, or one of its own. */
    public static String statName(EngagementType type) {
        String counter = campaignCounter(type);
        if (counter != null) {
            return counter;
        }
        return switch (type) {
            case DEFERRED -> "deferred";
            case DROPPED -> "dropped";
            case SENT -> "processed"; // the provider's own acceptance event; "sent" is counted by the send path
            case REJECTED -> "rejected";
            case RENDERING_FAILURE -> "renderingFailed";
            default -> "other";
        };
    }

    public static LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }
}
