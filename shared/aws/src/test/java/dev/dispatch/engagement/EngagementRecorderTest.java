package dev.dispatch.engagement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.TestStack;
import dev.dispatch.adapter.dynamodb.DynamoDbCampaignStore;
import dev.dispatch.adapter.dynamodb.DynamoDbDeliveryStats;
import dev.dispatch.adapter.dynamodb.DynamoDbEngagementStore;
import dev.dispatch.adapter.dynamodb.DynamoDbLifecycleStats;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberCounters;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberStore;
import dev.dispatch.domain.engagement.DeliveryStats;
import dev.dispatch.domain.engagement.RecipientDomains;
import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementRecorder;
import dev.dispatch.domain.engagement.EngagementRecorder.Outcome;
import dev.dispatch.domain.engagement.EngagementStore;
import dev.dispatch.domain.engagement.EngagementType;
import dev.dispatch.domain.engagement.HistoryPage;
import dev.dispatch.domain.engagement.LifecycleStats;
import dev.dispatch.domain.engagement.SubscriberEngagement;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.SubscriberDetails;
import dev.dispatch.domain.subscriber.SubscriberService;
import dev.dispatch.domain.subscriber.SubscriberStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The recorder on dynalite: each event counts once through duplicates, concurrent copies, failures and retries. */
class EngagementRecorderTest {
    private final DynamoDbClient dynamoDb = TestStack.aws().dynamoDb();
    private final String campaignsTable = TestStack.aws().resources().tableName("CampaignsTable");
    private final DynamoDbEngagementStore store =
            new DynamoDbEngagementStore(dynamoDb, TestStack.aws().resources().tableName("EngagementTable"));
    private final DynamoDbCampaignStore campaigns = new DynamoDbCampaignStore(dynamoDb, campaignsTable);
    private final SubscriberService subscribers = new SubscriberService(
            new DynamoDbSubscriberStore(dynamoDb, TestStack.subscriberTables()),
            new DynamoDbSubscriberCounters(dynamoDb, TestStack.subscriberTables().counters()), Clock.systemUTC());
    private final DynamoDbDeliveryStats stats = new DynamoDbDeliveryStats(dynamoDb, TestStack.subscriberTables().counters());
    // A partition of its own per test, so that the lifecycle moves can be asserted exactly.
    private final DynamoDbLifecycleStats lifecycle = new DynamoDbLifecycleStats(dynamoDb, TestStack.subscriberTables().counters(),
            "lifecycle-test-" + UUID.randomUUID());
    // Each test uses its own provider name, so the shared daily counters can be asserted exactly.
    private final String provider = "test-" + UUID.randomUUID().toString().substring(0, 8);
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final Instant at = Instant.now().minus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    private int ids;

    private EngagementRecorder recorder(EngagementStore engagementStore, DeliveryStats deliveryStats, int softBounceLimit,
            Duration lease) {
        return new EngagementRecorder(engagementStore, subscribers, campaigns, deliveryStats, lifecycle, softBounceLimit,
                Clock.systemUTC(), lease, d -> Thread.sleep(d.toMillis()));
    }

    private EngagementRecorder recorder() {
        return recorder(store, stats, 3, Duration.ofSeconds(90));
    }

    private EmailAddress address(String name) {
        return EmailAddress.parse(name + "." + run + "@example.com");
    }

    private String campaign() {
        String id = "cmp_test" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        dynamoDb.putItem(b -> b.tableName(campaignsTable).item(Map.of("id", AttributeValue.fromS(id))));
        return id;
    }

    private EngagementEvent event(EngagementType type, EmailAddress to, String campaignId, String variant) {
        return EngagementEvent.builder(provider, "evt-" + run + "-" + ids++, type, to, at.plusSeconds(ids))
                .correlation(campaignId, variant, null, null).build();
    }

    /** The provider's totals of the day (its per-recipient-domain counters apart: {@link #todayByDomain}). */
    private Map<String, Long> today() {
        return RecipientDomains.withoutDomains(todayAll());
    }

    private Map<String, Map<String, Long>> todayByDomain() {
        return RecipientDomains.split(todayAll());
    }

    private Map<String, Long> todayAll() {
        LocalDate day = LocalDate.ofInstant(at.plusSeconds(ids), ZoneOffset.UTC);
        return stats.days(day.minusDays(1), day.plusDays(1)).stream().filter(d -> d.provider().equals(provider))
                .findFirst().map(DeliveryStats.Day::counts).orElse(Map.of());
    }

    @Test
    void countsTotalsAndUniqueRecipientsPerCampaignAndVariant() {
        String cmp = campaign();
        EmailAddress ada = address("ada");
        EmailAddress bob = address("bob");
        EngagementRecorder recorder = recorder();
        List<EngagementEvent> events = List.of(
                event(EngagementType.DELIVERED, ada, cmp, "A"),
                event(EngagementType.DELIVERED, bob, cmp, "B"),
                event(EngagementType.OPENED, ada, cmp, "A"),
                event(EngagementType.OPENED, ada, cmp, "A"),
                event(EngagementType.OPENED, bob, cmp, "B"),
                event(EngagementType.CLICKED, ada, cmp, "A"));
        for (EngagementEvent e : events) {
            assertEquals(Outcome.APPLIED, recorder.apply(e));
        }
        for (int copy = 0; copy < 2; copy++) {
            for (EngagementEvent e : events) {
                assertEquals(Outcome.DUPLICATE, recorder.apply(e), "a duplicate changes nothing");
            }
        }
        EngagementEvent fresh = event(EngagementType.CLICKED, bob, cmp, "B");
        List<EngagementEvent> copies = new ArrayList<>(events);
        copies.add(fresh);
        copies.addAll(events);
        assertEquals(List.of(fresh), recorder.notYetApplied(copies), "one read tells the applied ones apart");
        assertEquals(Outcome.APPLIED, recorder.apply(fresh));
        Map<String, Long> counters = campaigns.counters(cmp);
        assertEquals(2, counters.get("delivered"));
        assertEquals(2, counters.get("uniqueDelivered"));
        assertEquals(3, counters.get("opened"));
        assertEquals(2, counters.get("uniqueOpened"));
        assertEquals(2, counters.get("clicked"));
        assertEquals(2, counters.get("variant.A.opened"));
        assertEquals(1, counters.get("variant.A.uniqueOpened"));
        assertEquals(1, counters.get("variant.B.uniqueOpened"));
        assertEquals(1, counters.get("variant.A.uniqueClicked"));
        assertEquals(Map.of("delivered", 2L, "opened", 3L, "clicked", 2L), today());
        // the same per recipient domain group (these addresses' domain is no listed operator: "other")
        assertEquals(Map.of("other", Map.of("delivered", 2L, "opened", 3L, "clicked", 2L)), todayByDomain());
        assertEquals(2, counters.get("domain.other.uniqueOpened"));
        assertEquals(3, counters.get("domain.other.opened"));

        SubscriberEngagement engagement = store.engagement(ada);
        assertEquals(2, engagement.opens());
        assertEquals(1, engagement.clicks());
        assertEquals(5.0, engagement.scoreAt(engagement.scoreAt()), 0.01);
        HistoryPage page = store.history(ada, null, 3);
        assertEquals(3, page.events().size());
        assertEquals("CLICKED", page.events().get(0).type(), "newest first");
        assertTrue(page.events().stream().allMatch(HistoryPage.Entry::applied));
        HistoryPage rest = store.history(ada, page.nextCursor(), 3);
        assertEquals(1, rest.events().size());
        assertEquals("DELIVERED", rest.events().get(0).type());
    }

    @Test
    void hardBouncesComplaintsAndUnsubscribesSuppressAtOnce() {
        EmailAddress bounced = address("bounced");
        EmailAddress complained = address("complained");
        EmailAddress unsubscribed = address("unsubscribed");
        EmailAddress noProfile = address("no-profile");
        for (EmailAddress a : List.of(bounced, complained, unsubscribed)) {
            subscribers.add(a, SubscriberDetails.of(null, null, null, null, null), "test");
        }
        EngagementRecorder recorder = recorder();
        recorder.apply(event(EngagementType.BOUNCED, bounced, null, null));
        recorder.apply(event(EngagementType.COMPLAINED, complained, null, null));
        recorder.apply(event(EngagementType.UNSUBSCRIBED, unsubscribed, null, null));
        recorder.apply(event(EngagementType.BOUNCED, noProfile, null, null));
        assertEquals(SubscriberStatus.BOUNCED, subscribers.get(bounced).status());
        assertEquals(SubscriberStatus.COMPLAINED, subscribers.get(complained).status());
        assertEquals(SubscriberStatus.UNSUBSCRIBED, subscribers.get(unsubscribed).status());
        Map<String, AttributeValue> suppression = dynamoDb.getItem(b -> b.tableName(TestStack.subscriberTables().suppressions())
                .key(Map.of("email", AttributeValue.fromS(noProfile.value()))).consistentRead(true)).item();
        assertFalse(suppression.isEmpty(), "an address without a profile is suppressed too");
    }

    @Test
    void eventsForOneAddressInOtherLettersCasesAreAboutTheSamePerson() {
        String cmp = campaign();
        EmailAddress uma = address("uma");
        EmailAddress vic = address("vic");
        subscribers.add(uma, SubscriberDetails.of(null, null, null, null, null), "test");
        subscribers.add(EmailAddress.parse("Vic." + run + "@Example.com"), SubscriberDetails.of(null, null, null, null, null), "test");
        EngagementRecorder recorder = recorder();

        recorder.apply(event(EngagementType.BOUNCED, EmailAddress.parse("UMA." + run + "@example.com"), null, null));
        assertEquals(SubscriberStatus.BOUNCED, subscribers.get(uma).status(), "a bounce for UMA suppresses uma");

        recorder.apply(event(EngagementType.SOFT_BOUNCED, EmailAddress.parse("Vic." + run + "@example.com"), null, null));
        recorder.apply(event(EngagementType.SOFT_BOUNCED, EmailAddress.parse("VIC." + run + "@example.com"), null, null));
        recorder.apply(event(EngagementType.OPENED, EmailAddress.parse("Vic." + run + "@example.com"), cmp, "A"));
        recorder.apply(event(EngagementType.OPENED, vic, cmp, "A"));
        assertEquals(1, campaigns.counters(cmp).get("uniqueOpened"), "one recipient, whatever the case");
        recorder.apply(event(EngagementType.SOFT_BOUNCED, vic, null, null));
        recorder.apply(event(EngagementType.SOFT_BOUNCED, vic, null, null));
        recorder.apply(event(EngagementType.SOFT_BOUNCED, EmailAddress.parse("vIC." + run + "@example.com"), null, null));
        assertEquals(SubscriberStatus.BOUNCED, subscribers.get(vic).status(), "one streak of soft bounces, whatever the case");
        assertEquals(7, store.history(EmailAddress.parse("VIC." + run + "@EXAMPLE.COM"), null, 20).events().size(), "one history");
    }

    @Test
    void softBouncesInARowSuppressAtTheConfiguredLimit() {
        EmailAddress flaky = address("flaky");
        EmailAddress recovering = address("recovering");
        subscribers.add(flaky, SubscriberDetails.of(null, null, null, null, null), "test");
        subscribers.add(recovering, SubscriberDetails.of(null, null, null, null, null), "test");
        EngagementRecorder recorder = recorder();
        recorder.apply(event(EngagementType.SOFT_BOUNCED, recovering, null, null));
        recorder.apply(event(EngagementType.SOFT_BOUNCED, recovering, null, null));
        recorder.apply(event(EngagementType.DELIVERED, recovering, null, null));
        recorder.apply(event(EngagementType.SOFT_BOUNCED, recovering, null, null));
        assertEquals(SubscriberStatus.ACTIVE, subscribers.get(recovering).status());

        recorder.apply(event(EngagementType.SOFT_BOUNCED, flaky, null, null));
        recorder.apply(event(EngagementType.SOFT_BOUNCED, flaky, null, null));
        assertEquals(SubscriberStatus.ACTIVE, subscribers.get(flaky).status());
        recorder.apply(event(EngagementType.SOFT_BOUNCED, flaky, null, null));
        assertEquals(SubscriberStatus.BOUNCED, subscribers.get(flaky).status());

        EmailAddress strict = address("strict");
        subscribers.add(strict, SubscriberDetails.of(null, null, null, null, null), "test");
        recorder(store, stats, 1, Duration.ofSeconds(90)).apply(event(EngagementType.SOFT_BOUNCED, strict, null, null));
        assertEquals(SubscriberStatus.BOUNCED, subscribers.get(strict).status(), "limit 1: the first soft bounce suppresses");
    }

    @Test
    void anEventForACampaignThatIsNotOursCountsNowhereButIsKept() {
        String ghost = "cmp_never" + run;
        EmailAddress ada = address("ghost");
        assertEquals(Outcome.APPLIED, recorder().apply(event(EngagementType.OPENED, ada, ghost, "A")));
        assertTrue(dynamoDb.getItem(b -> b.tableName(campaignsTable).key(Map.of("id", AttributeValue.fromS(ghost))))
                .item().isEmpty(), "no campaign item is created by a counter");
        assertEquals(1, store.history(ada, null, 10).events().size());
    }

    /**
     * Fails each step once - the writes that are idempotent after they reached the table (as when the answer is
     * lost), the increments before they do (as when DynamoDB refuses them) - then retries: each event counts once.
     */
    @Test
    void aFailureAtAnyStepIsRetriedAndCountsOnce() {
        String cmp = campaign();
        EmailAddress ada = address("faults");
        subscribers.add(ada, SubscriberDetails.of(null, null, null, null, null), "test");
        List<String> steps = List.of("claim", "engagement", "saveEngagement", "recordCampaignEvent",
                "campaignCounters", "stats", "markApplied");
        for (String step : steps) {
            FaultyStore faultyStore = new FaultyStore(store, step);
            DeliveryStats faultyStats = wrap((day, p, counts) -> {
                faultyStore.maybeFail("stats");
                stats.add(day, p, counts);
            });
            EngagementRecorder recorder = new EngagementRecorder(faultyStore, subscribers,
                    new FaultyCampaigns(campaigns, faultyStore), faultyStats, faultyLifecycle(faultyStore), 3, Clock.systemUTC(),
                    Duration.ofSeconds(90), d -> Thread.sleep(d.toMillis()));
            EngagementEvent e = event(EngagementType.OPENED, ada, cmp, "A");
            assertThrows(InjectedFault.class, () -> recorder.apply(e), step);
            recorder.apply(e); // the retry: applies it, or finds it applied when only the last answer was lost
            assertEquals(Outcome.DUPLICATE, recorder.apply(e));
        }
        Map<String, Long> counters = campaigns.counters(cmp);
        assertEquals(steps.size(), counters.get("opened"));
        assertEquals(steps.size(), counters.get("variant.A.opened"));
        assertEquals(1, counters.get("uniqueOpened"));
        assertEquals(steps.size(), store.engagement(ada).opens());
        assertEquals(Map.of("opened", (long) steps.size()), today());
        assertTrue(store.history(ada, null, 50).events().stream().allMatch(HistoryPage.Entry::applied));
        // one subscriber entered once (active), and is scheduled to leave active 30 days after its last open, once
        Instant lastOpen = store.engagement(ada).lastActivityAt();
        assertEquals(expectedMoves(at.plusSeconds(1), lastOpen), lifecycleMoves(), "lifecycle moves counted once");
    }

    /**
     * A first event moves a subscriber into a stage and schedules its later moves. Fails each step around those
     * moves once - the note written before the state's save, the save (answer lost after it went through), the
     * increments (refused before they are made) - then retries: each subscriber's moves count once.
     */
    @Test
    void aFailureAroundTheLifecycleMovesIsRetriedAndCountsThemOnce() {
        List<String> steps = List.of("claim", "engagement", "noteLifecycle", "saveEngagement", "lifecycle", "markApplied");
        Map<LocalDate, Map<String, Long>> expected = new java.util.TreeMap<>();
        for (String step : steps) {
            FaultyStore faultyStore = new FaultyStore(store, step);
            EngagementRecorder recorder = new EngagementRecorder(faultyStore, subscribers, campaigns, stats,
                    faultyLifecycle(faultyStore), 3, Clock.systemUTC(), Duration.ofSeconds(90), d -> Thread.sleep(d.toMillis()));
            EngagementEvent e = event(EngagementType.DELIVERED, address("lifecycle-" + step.toLowerCase()), null, null);
            assertThrows(InjectedFault.class, () -> recorder.apply(e), step);
            recorder.apply(e);
            assertEquals(Outcome.DUPLICATE, recorder.apply(e));
            LocalDate day = LocalDate.ofInstant(e.occurredAt(), ZoneOffset.UTC);
            expected.computeIfAbsent(day, d -> new java.util.TreeMap<>()).merge("none>new", 1L, Long::sum);
            expected.computeIfAbsent(day.plusDays(30), d -> new java.util.TreeMap<>()).merge("new>at-risk", 1L, Long::sum);
            expected.computeIfAbsent(day.plusDays(90), d -> new java.util.TreeMap<>()).merge("at-risk>dormant", 1L, Long::sum);
        }
        assertEquals(expected, lifecycleMoves());
    }

    private LifecycleStats faultyLifecycle(FaultyStore faults) {
        return new LifecycleStats() {
            @Override
            public void add(Map<LocalDate, Map<String, Long>> moves) {
                faults.maybeFail("lifecycle");
                lifecycle.add(moves);
            }

            @Override
            public List<Day> upTo(LocalDate to) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    void lifecycleMovesAreCountedOnceThroughDuplicatesAndScheduleTheQuietStages() {
        EmailAddress bo = address("stages");
        EngagementEvent delivered = event(EngagementType.DELIVERED, bo, null, null);
        assertEquals(Outcome.APPLIED, recorder().apply(delivered));
        assertEquals(Outcome.DUPLICATE, recorder().apply(delivered));
        LocalDate first = LocalDate.ofInstant(delivered.occurredAt(), ZoneOffset.UTC);
        assertEquals(Map.of(first, Map.of("none>new", 1L), first.plusDays(30), Map.of("new>at-risk", 1L),
                first.plusDays(90), Map.of("at-risk>dormant", 1L)), lifecycleMoves());

        EngagementEvent opened = event(EngagementType.OPENED, bo, null, null);
        recorder().apply(opened);
        recorder().apply(opened);
        LocalDate open = LocalDate.ofInstant(opened.occurredAt(), ZoneOffset.UTC);
        Map<LocalDate, Map<String, Long>> expected = new java.util.TreeMap<>();
        expected.computeIfAbsent(first, d -> new java.util.TreeMap<>()).put("none>new", 1L);
        expected.computeIfAbsent(open, d -> new java.util.TreeMap<>()).put("new>active", 1L);
        expected.computeIfAbsent(open.plusDays(30), d -> new java.util.TreeMap<>()).put("active>at-risk", 1L);
        expected.computeIfAbsent(open.plusDays(90), d -> new java.util.TreeMap<>()).put("at-risk>dormant", 1L);
        assertEquals(expected, lifecycleMoves());
    }

    /** The moves of one subscriber who first opened at {@code first} and last at {@code last}. */
    private static Map<LocalDate, Map<String, Long>> expectedMoves(Instant first, Instant last) {
        Map<LocalDate, Map<String, Long>> expected = new java.util.TreeMap<>();
        expected.computeIfAbsent(LocalDate.ofInstant(first, ZoneOffset.UTC), d -> new java.util.TreeMap<>()).put("none>active", 1L);
        LocalDate l = LocalDate.ofInstant(last, ZoneOffset.UTC);
        expected.computeIfAbsent(l.plusDays(30), d -> new java.util.TreeMap<>()).put("active>at-risk", 1L);
        expected.computeIfAbsent(l.plusDays(90), d -> new java.util.TreeMap<>()).put("at-risk>dormant", 1L);
        return expected;
    }

    /** This test's lifecycle partition, days whose moves cancelled out left out. */
    private Map<LocalDate, Map<String, Long>> lifecycleMoves() {
        Map<LocalDate, Map<String, Long>> moves = new java.util.TreeMap<>();
        for (LifecycleStats.Day day : lifecycle.upTo(LocalDate.now(ZoneOffset.UTC).plusYears(1))) {
            Map<String, Long> nonZero = new java.util.TreeMap<>(day.moves());
            nonZero.values().removeIf(n -> n == 0);
            if (!nonZero.isEmpty()) {
                moves.put(day.day(), nonZero);
            }
        }
        return moves;
    }

    @Test
    void concurrentCopiesOfOneEventApplyOnce() throws Exception {
        String cmp = campaign();
        EmailAddress ada = address("copies");
        EngagementRecorder recorder = recorder();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int i = 0; i < 5; i++) {
                EngagementEvent e = event(EngagementType.CLICKED, ada, cmp, "B");
                List<Callable<Outcome>> copies = List.of(() -> recorder.apply(e), () -> recorder.apply(e), () -> recorder.apply(e));
                int applied = 0;
                for (Future<Outcome> f : pool.invokeAll(copies)) {
                    applied += f.get() == Outcome.APPLIED ? 1 : 0;
                }
                assertEquals(1, applied);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(5, campaigns.counters(cmp).get("clicked"));
        assertEquals(1, campaigns.counters(cmp).get("uniqueClicked"));
        assertEquals(5, store.engagement(ada).clicks());
    }

    @Test
    void aLeaseLeftByADeadAttemptIsTakenOverWhenItExpires() {
        EmailAddress ada = address("dead");
        EngagementEvent e = event(EngagementType.DELIVERED, ada, null, null);
        String key = EngagementRecorder.eventKey(e);
        Instant now = Instant.now();
        assertEquals(EngagementStore.Status.OWNED, store.claim(e, key, "dead-attempt", now.plusMillis(1500), now).status());
        // the dead attempt never releases; a copy waits while the lease is valid, then takes it over
        long started = System.nanoTime();
        assertEquals(Outcome.APPLIED, recorder().apply(e));
        assertTrue(System.nanoTime() - started >= Duration.ofMillis(1000).toNanos(), "waited for the lease");
        assertEquals(Map.of("delivered", 1L), today());

        EngagementEvent held = event(EngagementType.DELIVERED, ada, null, null);
        Instant later = Instant.now();
        store.claim(held, EngagementRecorder.eventKey(held), "slow-attempt", later.plusSeconds(60), later);
        assertThrows(EngagementRecorder.EventBusyException.class, () -> recorder().apply(held),
                "a copy being applied elsewhere makes this attempt fail and retry later");
    }

    private static DeliveryStats wrap(AddOnly add) {
        return new DeliveryStats() {
            @Override
            public void add(LocalDate day, String provider, Map<String, Long> counts) {
                add.add(day, provider, counts);
            }

            @Override
            public List<Day> days(LocalDate from, LocalDate to) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @FunctionalInterface
    private interface AddOnly {
        void add(LocalDate day, String provider, Map<String, Long> counts);
    }

    private static final class InjectedFault extends RuntimeException {
        InjectedFault(String step) {
            super("injected fault after " + step);
        }
    }

    /** The real store; the named step fails once, after its write went through (as a lost answer would). */
    private static final class FaultyStore implements EngagementStore {
        private final EngagementStore delegate;
        private final String failing;
        private final AtomicInteger failures = new AtomicInteger();

        FaultyStore(EngagementStore delegate, String failing) {
            this.delegate = delegate;
            this.failing = failing;
        }

        void maybeFail(String step) {
            if (step.equals(failing) && failures.getAndIncrement() == 0) {
                throw new InjectedFault(step);
            }
        }

        @Override
        public Claim claim(EngagementEvent event, String eventKey, String owner, Instant leaseUntil, Instant now) {
            Claim claim = delegate.claim(event, eventKey, owner, leaseUntil, now);
            maybeFail("claim");
            return claim;
        }

        @Override
        public java.util.Set<String> applied(Map<String, EngagementEvent> eventsByKey) {
            return delegate.applied(eventsByKey);
        }

        @Override
        public void markCounted(EngagementEvent event, String eventKey, String owner, String step) {
            delegate.markCounted(event, eventKey, owner, step);
        }

        @Override
        public void noteLifecycle(EngagementEvent event, String eventKey, String owner, String moves) {
            delegate.noteLifecycle(event, eventKey, owner, moves);
            maybeFail("noteLifecycle");
        }

        @Override
        public void release(EngagementEvent event, String eventKey, String owner) {
            delegate.release(event, eventKey, owner);
        }

        @Override
        public void markApplied(EngagementEvent event, String eventKey, String owner) {
            delegate.markApplied(event, eventKey, owner);
            maybeFail("markApplied");
        }

        @Override
        public SubscriberEngagement engagement(EmailAddress email) {
            maybeFail("engagement");
            return delegate.engagement(email);
        }

        @Override
        public boolean saveEngagement(SubscriberEngagement next) {
            boolean saved = delegate.saveEngagement(next);
            maybeFail("saveEngagement");
            return saved;
        }

        @Override
        public boolean recordCampaignEvent(String campaignId, EmailAddress recipient, String counter, String eventKey) {
            boolean first = delegate.recordCampaignEvent(campaignId, recipient, counter, eventKey);
            maybeFail("recordCampaignEvent");
            return first;
        }

        @Override
        public HistoryPage history(EmailAddress email, String cursor, int limit) {
            return delegate.history(email, cursor, limit);
        }
    }

    private static final class FaultyCampaigns extends DynamoDbCampaignStore {
        private final DynamoDbCampaignStore delegate;
        private final FaultyStore faults;

        FaultyCampaigns(DynamoDbCampaignStore delegate, FaultyStore faults) {
            super(null, null);
            this.delegate = delegate;
            this.faults = faults;
        }

        @Override
        public void addCounters(String id, Map<String, Long> deltas) {
            faults.maybeFail("campaignCounters");
            delegate.addCounters(id, deltas);
        }
    }
}
