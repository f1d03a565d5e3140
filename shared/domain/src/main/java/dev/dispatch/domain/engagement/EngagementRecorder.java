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
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

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
 *       incremented and the entry is marked applied. Both carry the per-recipient-domain counters
 *       ({@link RecipientDomains}) in the same increment, so they count exactly as often as the totals.
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
    private final Function<Collection<EmailAddress>, Set<EmailAddress>> erasedAmong;
    private final EngagementJournal journal;

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
        this(store, subscribers, campaigns, stats, lifecycle, softBounceLimit, clock, lease, sleeper, erased,
                emails -> emails.stream().filter(erased).collect(Collectors.toSet()), null);
    }

    /**
     * As above, able to {@link #applyBatch apply batches}.
     *
     * @param erasedAmong which of several addresses were erased (one read for a batch's addresses)
     * @param journal the batches' journal
     */
    public EngagementRecorder(EngagementStore store, SubscriberService subscribers, CampaignStore campaigns,
            DeliveryStats stats, LifecycleStats lifecycle, int softBounceLimit, Clock clock, Duration lease,
            BatchSender.Sleeper sleeper, Predicate<EmailAddress> erased,
            Function<Collection<EmailAddress>, Set<EmailAddress>> erasedAmong, EngagementJournal journal) {
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
        this.erasedAmong = erasedAmong;
        this.journal = journal;
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
            stats.add(day(event.occurredAt()), event.provider(), statCounts(event));
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
        // Per recipient domain group, in the same update: totals, and unique counts for the campaign's domain rates.
        String group = RecipientDomains.groupOf(event.recipient().value());
        counts.put(RecipientDomains.counter(group, counter), 1L);
        if (first) {
            counts.put(RecipientDomains.counter(group, uniqueName(counter)), 1L);
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

    // ------------------------------------------------------------------ batches

    /** What {@link #applyBatch} did with a batch's events. */
    public record BatchOutcome(List<EngagementEvent> applied, int duplicates, int erased) {
        public BatchOutcome {
            applied = List.copyOf(applied);
        }
    }

    /** A subscriber's share of a batch: its journal entry and the state its save stores. */
    private record Planned(EngagementJournal.Entry entry, SubscriberEngagement next) {
    }

    /**
     * Applies a batch of events (one queue message, {@code batchId} its id, the same on every delivery) once, with
     * the work folded per batch: one read for the erased addresses, one for the events already applied, one for the
     * subscribers' states; one conditional save per subscriber; one update per counter item (campaign, provider
     * day, lifecycle day) for all the batch's events; the history entries written 25 to a request.
     *
     * <p>Without transactions, each step is kept once by the batch's {@link EngagementJournal journal} and the tags
     * the saves leave on the states:
     * <ol>
     *   <li>the journal is leased to this attempt (another attempt of the same message: busy, retried later);
     *   <li>each subscriber's plan - the events applied to it, the lifecycle moves and suppressions they make - is
     *       journaled before its state is saved; the save is conditional on the version read and leaves the batch's
     *       tag, so a subscriber's events are applied by exactly one save of one batch (a copy of an event in
     *       another message finds it among the state's recent events and skips it);
     *   <li>the suppressions and the unique-recipient entries (both idempotent) are written; each folded
     *       increment is made, then noted done in the journal;
     *   <li>the history entries are written, marked applied, and the journal is finished.
     * </ol>
     * A redelivery after a failure or a crash reads the journal: the subscribers whose state carries the batch's tag
     * keep their journaled plan (their save went through), the others are planned again from their current state,
     * and only the increments not noted done are made. What remains, as for single events, is the window between
     * one increment and its note: an increment whose answer was lost, or a crash right there, counts that part of
     * the batch again on the retry.
     *
     * @param workers runs the per-subscriber requests side by side
     */
    public BatchOutcome applyBatch(String batchId, List<EngagementEvent> batch, ExecutorService workers) {
        if (journal == null) {
            throw new IllegalStateException("this recorder has no journal for batches");
        }
        Map<String, EngagementEvent> byKey = new LinkedHashMap<>();
        batch.forEach(e -> byKey.putIfAbsent(eventKey(e), e));
        List<String> keys = new ArrayList<>(byKey.keySet());
        List<EngagementEvent> events = new ArrayList<>(byKey.values());
        if (events.isEmpty()) {
            return new BatchOutcome(List.of(), 0, 0);
        }
        String owner = UUID.randomUUID().toString();
        String tag = batchTag(batchId);
        Instant now = clock.instant();
        EngagementJournal.Journal journaled = journal.open(batchId, owner, now.plus(lease), now);
        if (journaled == null) {
            throw new EventBusyException("another attempt is applying this batch");
        }
        if (journaled.finished()) {
            journal.release(batchId, owner); // opening took the lease again: give it back for the next copy
            return new BatchOutcome(List.of(), batch.size(), 0);
        }
        try {
            return applyBatch(batchId, owner, tag, journaled, events, keys, workers, batch.size());
        } catch (RuntimeException e) {
            try {
                journal.release(batchId, owner);
            } catch (RuntimeException releaseFailure) {
                e.addSuppressed(releaseFailure);
            }
            throw e;
        }
    }

    private BatchOutcome applyBatch(String batchId, String owner, String tag, EngagementJournal.Journal journaled,
            List<EngagementEvent> events, List<String> keys, ExecutorService workers, int delivered) {
        // The subscribers, each by the position of its first event: the journal names them so, never by address.
        Map<String, List<Integer>> bySubscriber = new LinkedHashMap<>();
        Map<String, String> subscriberOf = new LinkedHashMap<>(); // address identity -> subscriber id
        for (int i = 0; i < events.size(); i++) {
            String identity = events.get(i).recipient().key();
            String id = subscriberOf.get(identity);
            if (id == null) {
                id = Integer.toString(i);
                subscriberOf.put(identity, id);
            }
            bySubscriber.computeIfAbsent(id, k -> new ArrayList<>()).add(i);
        }
        Set<EmailAddress> recipients = new HashSet<>();
        bySubscriber.keySet().forEach(id -> recipients.add(events.get(Integer.parseInt(id)).recipient()));
        // By identity: an address in another letter case is the same person.
        Set<String> erasedIds = erasedAmong.apply(recipients).stream().map(EmailAddress::key).collect(Collectors.toSet());
        Predicate<EmailAddress> erasedNow = email -> erasedIds.contains(email.key());
        Map<String, EngagementEvent> open = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            if (!erasedNow.test(events.get(i).recipient())) {
                open.put(keys.get(i), events.get(i));
            }
        }
        Set<String> appliedBefore = open.isEmpty() ? Set.of() : store.applied(open);

        // Plan: a subscriber whose state carries this batch's tag keeps its journaled plan (saved before a crash);
        // every other one is planned from its current state.
        List<String> involved = new ArrayList<>();
        Map<String, List<Integer>> candidates = new LinkedHashMap<>();
        for (String id : bySubscriber.keySet()) {
            List<Integer> positions = bySubscriber.get(id).stream()
                    .filter(i -> open.containsKey(keys.get(i)) && !appliedBefore.contains(keys.get(i))).toList();
            candidates.put(id, positions);
            if (journaled.plan().containsKey(id) || !positions.isEmpty()) {
                involved.add(id);
            }
        }
        Map<EmailAddress, EngagementStore.Tagged> states = involved.isEmpty() ? Map.of()
                : store.tagged(involved.stream().map(id -> events.get(Integer.parseInt(id)).recipient()).distinct().toList());
        Map<String, EngagementJournal.Entry> committed = new ConcurrentHashMap<>();
        Map<String, Planned> toSave = new LinkedHashMap<>();
        Map<String, List<String>> tagsOf = new LinkedHashMap<>();
        for (String id : involved) {
            EmailAddress email = events.get(Integer.parseInt(id)).recipient();
            EngagementStore.Tagged stored = states.getOrDefault(email,
                    new EngagementStore.Tagged(SubscriberEngagement.none(email), List.of()));
            EngagementJournal.Entry prior = journaled.plan().get(id);
            if (prior != null && stored.batches().contains(tag)) {
                committed.put(id, prior);
                continue;
            }
            if (erasedNow.test(email)) {
                continue;
            }
            Planned planned = plan(candidates.get(id), events, keys, stored.state());
            if (planned != null) {
                toSave.put(id, planned);
                tagsOf.put(id, stored.batches());
            }
        }
        Map<String, EngagementJournal.Entry> entries = new LinkedHashMap<>();
        toSave.forEach((id, p) -> entries.put(id, p.entry()));
        if (!entries.isEmpty()) {
            journal.plan(batchId, owner, entries);
        }
        // Stale plans of subscribers whose save never went through and that have nothing left: removed, so that a
        // later redelivery does not take them for this batch's.
        for (String id : journaled.plan().keySet()) {
            if (!committed.containsKey(id) && !entries.containsKey(id)) {
                journal.replan(batchId, owner, id, null);
            }
        }

        // Save: one conditional write per subscriber, side by side.
        List<Callable<Void>> saves = new ArrayList<>();
        toSave.forEach((id, planned) -> saves.add(() -> {
            save(batchId, owner, tag, id, planned, tagsOf.get(id), candidates.get(id), events, keys, committed);
            return null;
        }));
        runAll(workers, saves);

        // Suppressions and unique-recipient entries (idempotent), then the folded increments, each noted once made.
        List<Callable<Void>> suppressions = new ArrayList<>();
        committed.forEach((id, entry) -> {
            EmailAddress email = events.get(Integer.parseInt(id)).recipient();
            for (String s : entry.suppressions()) {
                int bar = s.indexOf('|');
                SubscriberStatus reason = SubscriberStatus.valueOf(s.substring(0, bar));
                suppressions.add(() -> {
                    subscribers.suppress(email, reason, s.substring(bar + 1));
                    return null;
                });
            }
        });
        runAll(workers, suppressions);
        List<Integer> applied = committed.values().stream().flatMap(e -> e.events().stream()).sorted().toList();
        Map<String, Map<String, Long>> campaignDeltas = new TreeMap<>();
        Map<String, Map<String, Long>> statDeltas = new TreeMap<>();
        Map<LocalDate, Map<String, Long>> lifecycleDeltas = new TreeMap<>();
        List<Callable<Map<String, Long>>> firsts = new ArrayList<>();
        List<String> firstCampaigns = new ArrayList<>();
        for (int i : applied) {
            EngagementEvent event = events.get(i);
            String key = keys.get(i);
            Map<String, Long> into = statDeltas.computeIfAbsent(day(event.occurredAt()) + "|" + event.provider(), k -> new TreeMap<>());
            statCounts(event).forEach((name, n) -> into.merge(name, n, Long::sum));
            if (event.campaignId() != null && campaignCounter(event.type()) != null) {
                firstCampaigns.add(event.campaignId());
                firsts.add(() -> campaignCounts(event, key));
            }
        }
        List<Map<String, Long>> counts = runAll(workers, firsts);
        for (int i = 0; i < counts.size(); i++) {
            Map<String, Long> into = campaignDeltas.computeIfAbsent(firstCampaigns.get(i), k -> new TreeMap<>());
            counts.get(i).forEach((name, n) -> into.merge(name, n, Long::sum));
        }
        for (EngagementJournal.Entry entry : committed.values()) {
            LifecycleMoves.decode(entry.moves()).forEach((day, moves) -> {
                Map<String, Long> into = lifecycleDeltas.computeIfAbsent(day, d -> new TreeMap<>());
                moves.forEach((name, n) -> into.merge(name, n, Long::sum));
            });
        }
        Set<String> done = journaled.done();
        campaignDeltas.forEach((campaign, deltas) -> once(batchId, owner, done, "c|" + campaign,
                () -> campaigns.addCounters(campaign, deltas)));
        statDeltas.forEach((dayAndProvider, deltas) -> {
            int bar = dayAndProvider.indexOf('|');
            once(batchId, owner, done, "d|" + dayAndProvider,
                    () -> stats.add(LocalDate.parse(dayAndProvider.substring(0, bar)), dayAndProvider.substring(bar + 1), deltas));
        });
        lifecycleDeltas.forEach((day, moves) -> {
            moves.values().removeIf(n -> n == 0);
            if (!moves.isEmpty()) {
                once(batchId, owner, done, "l|" + day, () -> lifecycle.add(Map.of(day, moves)));
            }
        });

        // The history, marked applied; then the batch is done.
        Map<String, EngagementEvent> history = new LinkedHashMap<>();
        applied.forEach(i -> history.put(keys.get(i), events.get(i)));
        if (!history.isEmpty()) {
            store.recordApplied(history, clock.instant());
        }
        journal.finish(batchId, owner);
        List<EngagementEvent> appliedEvents = applied.stream().map(events::get).toList();
        int erasedCount = (int) events.stream().filter(e -> erasedNow.test(e.recipient())).count();
        return new BatchOutcome(appliedEvents, delivered - appliedEvents.size() - erasedCount, erasedCount);
    }

    /** Makes a folded increment unless the journal notes it made, then notes it. */
    private void once(String batchId, String owner, Set<String> done, String part, Runnable increment) {
        if (done.contains(part)) {
            return;
        }
        increment.run();
        journal.markDone(batchId, owner, part);
    }

    /**
     * Saves one subscriber's planned state; on a conflict reads it again: carrying this batch's tag, the save went
     * through (its answer was lost); otherwise it is planned again from the state found (journaled first).
     */
    private void save(String batchId, String owner, String tag, String id, Planned first, List<String> firstTags,
            List<Integer> positions, List<EngagementEvent> events, List<String> keys,
            Map<String, EngagementJournal.Entry> committed) {
        Planned planned = first;
        List<String> tags = firstTags;
        EmailAddress email = events.get(Integer.parseInt(id)).recipient();
        for (int attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
            List<String> next = new ArrayList<>(tags);
            next.add(tag);
            if (next.size() > EngagementStore.BATCH_TAGS) {
                next = next.subList(next.size() - EngagementStore.BATCH_TAGS, next.size());
            }
            if (store.saveEngagement(planned.next(), next)) {
                committed.put(id, planned.entry());
                return;
            }
            EngagementStore.Tagged stored = store.tagged(List.of(email)).get(email);
            if (stored.batches().contains(tag)) {
                committed.put(id, planned.entry());
                return;
            }
            Planned again = plan(positions, events, keys, stored.state());
            journal.replan(batchId, owner, id, again == null ? null : again.entry());
            if (again == null) {
                return; // every event of it was applied by another batch meanwhile
            }
            planned = again;
            tags = stored.batches();
        }
        throw new IllegalStateException("the subscriber's engagement keeps changing concurrently; retry");
    }

    /** A subscriber's events applied to its state (those it shows applied skipped); null when none is left. */
    private Planned plan(List<Integer> positions, List<EngagementEvent> events, List<String> keys,
            SubscriberEngagement state) {
        SubscriberEngagement current = state;
        List<Integer> applied = new ArrayList<>();
        Map<LocalDate, Map<String, Long>> moves = new TreeMap<>();
        List<String> suppressions = new ArrayList<>();
        for (int i : positions) {
            EngagementEvent event = events.get(i);
            String key = keys.get(i);
            if (current.hasApplied(key)) {
                continue;
            }
            SubscriberEngagement next = current.apply(event, key);
            LifecycleMoves.between(current, next, event.occurredAt()).forEach((day, m) -> {
                Map<String, Long> into = moves.computeIfAbsent(day, d -> new TreeMap<>());
                m.forEach((name, n) -> into.merge(name, n, Long::sum));
            });
            String suppression = suppression(event, next);
            if (suppression != null) {
                suppressions.add(suppression);
            }
            applied.add(i);
            current = next;
        }
        if (applied.isEmpty()) {
            return null;
        }
        moves.values().forEach(m -> m.values().removeIf(n -> n == 0));
        moves.values().removeIf(Map::isEmpty);
        return new Planned(new EngagementJournal.Entry(applied, state.version(), LifecycleMoves.encode(moves), suppressions), current);
    }

    /** The suppression an event calls for in the state it leads to, as {@code <status>|<why>}; null if none. */
    private String suppression(EngagementEvent event, SubscriberEngagement state) {
        SubscriberStatus reason = switch (event.type()) {
            case BOUNCED -> SubscriberStatus.BOUNCED;
            case COMPLAINED -> SubscriberStatus.COMPLAINED;
            case UNSUBSCRIBED -> SubscriberStatus.UNSUBSCRIBED;
            case SOFT_BOUNCED -> state.softBounceStreak() >= softBounceLimit ? SubscriberStatus.BOUNCED : null;
            default -> null;
        };
        if (reason == null) {
            return null;
        }
        String why = event.type() == EngagementType.SOFT_BOUNCED
                ? state.softBounceStreak() + " soft bounces in a row"
                : event.type().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        return reason.name() + "|" + event.provider() + " webhook: " + why;
    }

    /** A short tag of a batch id, as saves leave it on states: 40 bits of its SHA-256. */
    static String batchTag(String batchId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(batchId.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the tasks on the workers and waits for all; the first failure is thrown once all have ended. */
    private static <T> List<T> runAll(ExecutorService workers, List<Callable<T>> tasks) {
        if (tasks.isEmpty()) {
            return List.of();
        }
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> task : tasks) {
            futures.add(workers.submit(task));
        }
        List<T> results = new ArrayList<>();
        RuntimeException failure = null;
        for (Future<T> future : futures) {
            try {
                results.add(future.get());
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while applying a batch", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
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

    /**
     * What one event adds to its provider's day: the event type's counter, in total and for the recipient's domain
     * group (one item, one increment: the per-domain figures cost no request of their own).
     */
    static Map<String, Long> statCounts(EngagementEvent event) {
        String name = statName(event.type());
        return Map.of(name, 1L, RecipientDomains.counter(RecipientDomains.groupOf(event.recipient().value()), name), 1L);
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
