package dev.dispatch.engagement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.TestStack;
import dev.dispatch.adapter.dynamodb.DynamoDbCampaignStore;
import dev.dispatch.adapter.dynamodb.DynamoDbDeliveryStats;
import dev.dispatch.adapter.dynamodb.DynamoDbEngagementJournal;
import dev.dispatch.adapter.dynamodb.DynamoDbEngagementStore;
import dev.dispatch.adapter.dynamodb.DynamoDbLifecycleStats;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberCounters;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberStore;
import dev.dispatch.domain.campaign.CampaignStore;
import dev.dispatch.domain.engagement.DeliveryStats;
import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementJournal;
import dev.dispatch.domain.engagement.EngagementRecorder;
import dev.dispatch.domain.engagement.EngagementStore;
import dev.dispatch.domain.engagement.EngagementType;
import dev.dispatch.domain.engagement.HistoryPage;
import dev.dispatch.domain.engagement.LifecycleStats;
import dev.dispatch.domain.engagement.RecipientDomains;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.SubscriberService;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Batches on dynalite: whatever the copies, redeliveries and crashes between writes, a batch counts every event
 * exactly as applying the events one by one ({@link EngagementRecorder#apply}, the reference) does.
 */
class EngagementBatchTest {
    private static final ExecutorService WORKERS = Executors.newFixedThreadPool(4);
    private static final List<String> DOMAINS = List.of("gmail.com", "hotmail.com", "me.com", "example.com");

    private final DynamoDbClient dynamoDb = TestStack.aws().dynamoDb();
    private final String engagementTable = TestStack.aws().resources().tableName("EngagementTable");
    private final String campaignsTable = TestStack.aws().resources().tableName("CampaignsTable");
    private final String countersTable = TestStack.subscriberTables().counters();
    private final DynamoDbEngagementStore store = new DynamoDbEngagementStore(dynamoDb, engagementTable);
    private final DynamoDbEngagementJournal journal = new DynamoDbEngagementJournal(dynamoDb, engagementTable);
    private final DynamoDbCampaignStore campaigns = new DynamoDbCampaignStore(dynamoDb, campaignsTable);
    private final DynamoDbSubscriberStore subscriberStore = new DynamoDbSubscriberStore(dynamoDb, TestStack.subscriberTables());
    private final SubscriberService subscribers = new SubscriberService(subscriberStore,
            new DynamoDbSubscriberCounters(dynamoDb, countersTable), Clock.systemUTC());
    private final DeliveryStats stats = new DynamoDbDeliveryStats(dynamoDb, countersTable);
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final Instant at = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);

    @AfterAll
    static void stop() {
        WORKERS.shutdownNow();
    }

    /** Where one run counts: its own provider (daily stats), campaign and lifecycle partition. */
    private final class Sink {
        final String provider = "bt-" + UUID.randomUUID().toString().substring(0, 8);
        final String campaign = "cmp_bt" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        final DynamoDbLifecycleStats lifecycle = new DynamoDbLifecycleStats(dynamoDb, countersTable,
                "lifecycle-bt-" + UUID.randomUUID());

        Sink() {
            dynamoDb.putItem(b -> b.tableName(campaignsTable).item(Map.of("id", AttributeValue.fromS(campaign))));
        }

        /** Everything counted: campaign counters, the provider's daily stats, the lifecycle moves. */
        Map<String, Object> counted() {
            Map<String, Object> all = new TreeMap<>();
            all.put("campaign", new TreeMap<>(campaigns.counters(campaign)));
            Map<String, Long> day = new TreeMap<>();
            stats.days(LocalDate.ofInstant(at, ZoneOffset.UTC).minusDays(1), LocalDate.ofInstant(at, ZoneOffset.UTC).plusDays(1))
                    .stream().filter(d -> d.provider().equals(provider)).forEach(d -> d.counts().forEach((k, v) -> day.merge(k, v, Long::sum)));
            all.put("stats", day);
            // As stage counts per day (what the aggregate is read for): the moves themselves depend on the order a
            // subscriber's events are applied in (an open before the delivery goes none>active at once).
            Map<LocalDate, Map<String, Long>> stages = new TreeMap<>();
            for (LifecycleStats.Day d : lifecycle.upTo(LocalDate.now(ZoneOffset.UTC).plusYears(1))) {
                Map<String, Long> net = new TreeMap<>();
                d.moves().forEach((move, n) -> {
                    String[] fromTo = move.split(">");
                    net.merge(fromTo[1], n, Long::sum);
                    net.merge(fromTo[0], -n, Long::sum);
                });
                net.values().removeIf(n -> n == 0);
                if (!net.isEmpty()) {
                    stages.put(d.day(), net);
                }
            }
            all.put("lifecycle", stages);
            return all;
        }
    }

    /**
     * A mix over {@code people} addresses named {@code <side>-<i>}: delivered, opens, clicks, a soft bounce, and a
     * hard bounce for the last one; the same ids and times on either side, so both sides count the same.
     */
    private List<EngagementEvent> mix(String side, Sink sink, int people) {
        List<EngagementEvent> events = new ArrayList<>();
        int n = 0;
        for (int i = 0; i < people; i++) {
            // four mailbox operators in turn (gmail.com, outlook.com, icloud.com and an unlisted domain): the
            // per-recipient-domain counters are compared too
            EmailAddress to = EmailAddress.parse(side + "-" + i + "." + run + "@" + DOMAINS.get(i % DOMAINS.size()));
            String variant = i % 2 == 0 ? "A" : "B";
            List<EngagementType> types = new ArrayList<>(List.of(EngagementType.DELIVERED, EngagementType.OPENED));
            if (i % 2 == 0) {
                types.add(EngagementType.OPENED);
                types.add(EngagementType.CLICKED);
            }
            if (i % 3 == 0) {
                types.add(EngagementType.SOFT_BOUNCED);
            }
            if (i == people - 1) {
                types.add(EngagementType.BOUNCED);
            }
            for (EngagementType type : types) {
                n++;
                events.add(EngagementEvent.builder(sink.provider, "e" + i + "-" + n, type, to, at.plusSeconds(n * 60L))
                        .correlation(sink.campaign, variant, null, null).build());
            }
        }
        return events;
    }

    private EngagementRecorder reference(Sink sink) {
        return new EngagementRecorder(store, subscribers, campaigns, stats, sink.lifecycle, 3, Clock.systemUTC(),
                Duration.ofSeconds(90), d -> Thread.sleep(d.toMillis()));
    }

    private EngagementRecorder batches(Sink sink, EngagementStore engagementStore, EngagementJournal batchJournal,
            CampaignStore campaignStore, DeliveryStats deliveryStats, LifecycleStats lifecycleStats, Duration lease) {
        return new EngagementRecorder(engagementStore, subscribers, campaignStore, deliveryStats, lifecycleStats, 3,
                Clock.systemUTC(), lease, d -> Thread.sleep(d.toMillis()), subscriberStore::isErased,
                subscriberStore::erasedAmong, batchJournal);
    }

    private EngagementRecorder batches(Sink sink) {
        return batches(sink, store, journal, campaigns, stats, sink.lifecycle, Duration.ofSeconds(90));
    }

    /** What the reference counts for the same mix, applied one event at a time. */
    private Map<String, Object> expected(int people) {
        Sink sink = new Sink();
        EngagementRecorder reference = reference(sink);
        mix("ref-" + UUID.randomUUID().toString().substring(0, 6), sink, people).forEach(reference::apply);
        Map<String, Object> counted = sink.counted();
        return counted;
    }

    /** The counts with the names that differ per sink (none: provider, campaign and partition are not in them). */
    private static Map<String, Object> comparable(Map<String, Object> counted) {
        return counted;
    }

    @Test
    void aBatchCountsAsEventByEventThroughCopiesInItAndInOtherMessagesAndRedeliveries() throws Exception {
        int people = 7;
        Map<String, Object> expected = expected(people);
        Sink sink = new Sink();
        List<EngagementEvent> events = mix("b-" + UUID.randomUUID().toString().substring(0, 6), sink, people);
        List<EngagementEvent> first = new ArrayList<>(events);
        first.addAll(events.subList(0, 5)); // copies inside the message
        Collections.shuffle(first, new Random(7));
        List<EngagementEvent> second = new ArrayList<>(events);
        Collections.shuffle(second, new Random(8));
        EngagementRecorder recorder = batches(sink);
        // the two messages side by side (the provider delivered the request twice), then each delivered again
        Future<EngagementRecorder.BatchOutcome> a = Executors.newSingleThreadExecutor()
                .submit(() -> recorder.applyBatch("m1-" + run, first, WORKERS));
        EngagementRecorder.BatchOutcome b = recorder.applyBatch("m2-" + run, second, WORKERS);
        assertEquals(events.size(), a.get().applied().size() + b.applied().size(), "each event applied by one message");
        assertTrue(recorder.applyBatch("m1-" + run, first, WORKERS).applied().isEmpty());
        assertTrue(recorder.applyBatch("m2-" + run, second, WORKERS).applied().isEmpty());
        assertTrue(recorder.applyBatch("m3-" + run, events, WORKERS).applied().isEmpty(), "a third copy changes nothing");
        assertEquals(comparable(expected), comparable(sink.counted()));
        EmailAddress last = events.get(events.size() - 1).recipient();
        assertTrue(suppressed(last), "the hard bounce suppresses");
        for (EngagementEvent e : events) {
            assertTrue(store.history(e.recipient(), null, 50).events().stream().allMatch(HistoryPage.Entry::applied));
        }
        assertEquals(events.stream().filter(e -> e.recipient().equals(events.get(0).recipient())).count(),
                store.history(events.get(0).recipient(), null, 50).events().size(), "one history entry per event");
    }

    /**
     * The per-recipient-domain counters (campaign, and provider day) hold each event once - through a copy of every
     * event in another message, a redelivery of a finished message, and a batch refused at its campaign increment and
     * delivered again - with the figures the mix makes, grouped by mailbox operator, and no address in any name.
     */
    @Test
    void perDomainCountersCountEachEventExactlyOnceThroughCopiesAndRedeliveries() {
        Sink sink = new Sink();
        List<EngagementEvent> events = mix("d-" + UUID.randomUUID().toString().substring(0, 6), sink, 8);
        Fault refused = new Fault("addCounters", false);
        EngagementRecorder crashing = batches(sink, store, journal, refused.wrap(CampaignStore.class, campaigns), stats,
                sink.lifecycle, Duration.ofMillis(300));
        assertThrows(RuntimeException.class, () -> crashing.applyBatch("d1-" + run, events, WORKERS));
        sleep(400);
        assertEquals(events.size(), batches(sink).applyBatch("d1-" + run, events, WORKERS).applied().size());
        assertTrue(batches(sink).applyBatch("d1-" + run, events, WORKERS).applied().isEmpty(), "redelivered: nothing again");
        List<EngagementEvent> copy = new ArrayList<>(events);
        Collections.shuffle(copy, new Random(3));
        assertTrue(batches(sink).applyBatch("d2-" + run, copy, WORKERS).applied().isEmpty(), "copies: nothing again");

        // i % 4 = 0 gmail.com: i=0 D,O,O,C,SB and i=4 D,O,O,C; 1 hotmail.com: D,O twice; 2 me.com: i=2 D,O,O,C and
        // i=6 D,O,O,C,SB; 3 example.com: i=3 D,O,SB and i=7 D,O,B (the last one hard-bounces)
        Map<String, Map<String, Long>> campaign = RecipientDomains.split(campaigns.counters(sink.campaign));
        assertEquals(Map.of("delivered", 2L, "uniqueDelivered", 2L, "opened", 4L, "uniqueOpened", 2L, "clicked", 2L,
                "uniqueClicked", 2L, "softBounced", 1L, "uniqueSoftBounced", 1L), campaign.get("gmail.com"));
        assertEquals(Map.of("delivered", 2L, "uniqueDelivered", 2L, "opened", 2L, "uniqueOpened", 2L), campaign.get("outlook.com"));
        assertEquals(campaign.get("gmail.com"), campaign.get("icloud.com"));
        assertEquals(Map.of("delivered", 2L, "uniqueDelivered", 2L, "opened", 2L, "uniqueOpened", 2L, "softBounced", 1L,
                "uniqueSoftBounced", 1L, "bounced", 1L, "uniqueBounced", 1L), campaign.get("other"));
        assertEquals(Set.of("gmail.com", "outlook.com", "icloud.com", "other"), campaign.keySet());

        Map<String, Map<String, Long>> day = new TreeMap<>();
        stats.days(LocalDate.ofInstant(at, ZoneOffset.UTC).minusDays(1), LocalDate.ofInstant(at, ZoneOffset.UTC).plusDays(1))
                .stream().filter(d -> d.provider().equals(sink.provider))
                .forEach(d -> d.domains().forEach((g, counts) -> counts.forEach((k, v) ->
                        day.computeIfAbsent(g, x -> new TreeMap<>()).merge(k, v, Long::sum))));
        assertEquals(Map.of("delivered", 2L, "opened", 4L, "clicked", 2L, "softBounced", 1L), day.get("gmail.com"));
        assertEquals(Map.of("delivered", 2L, "opened", 2L), day.get("outlook.com"));
        assertEquals(Map.of("delivered", 2L, "opened", 2L, "softBounced", 1L, "bounced", 1L), day.get("other"));
        assertEquals(Set.of("gmail.com", "outlook.com", "icloud.com", "other"), day.keySet());
        Map<String, Long> totals = new TreeMap<>();
        stats.days(LocalDate.ofInstant(at, ZoneOffset.UTC).minusDays(1), LocalDate.ofInstant(at, ZoneOffset.UTC).plusDays(1))
                .stream().filter(d -> d.provider().equals(sink.provider))
                .forEach(d -> RecipientDomains.withoutDomains(d.counts()).forEach((k, v) -> totals.merge(k, v, Long::sum)));
        assertEquals(Map.of("delivered", 8L, "opened", 12L, "clicked", 4L, "softBounced", 3L, "bounced", 1L), totals);
    }

    /** A fault: before or after the named method (of any wrapped port) runs, once. */
    private static final class Fault {
        final String method;
        final boolean after;
        volatile boolean fired;

        Fault(String method, boolean after) {
            this.method = method;
            this.after = after;
        }

        @SuppressWarnings("unchecked")
        <T> T wrap(Class<T> type, T target) {
            return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, m, args) -> {
                boolean hit = m.getName().equals(method) && !fired;
                if (hit && !after) {
                    fired = true;
                    throw new Crash(method + " (before)");
                }
                Object result;
                try {
                    result = m.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
                if (hit) {
                    fired = true;
                    throw new Crash(method + " (after it went through)");
                }
                return result;
            });
        }
    }

    /** The function dying (or its answer lost) at that point. */
    private static final class Crash extends RuntimeException {
        Crash(String where) {
            super(where);
        }
    }

    /**
     * Crashes the batch at every write in turn - before it (refused), or after it went through (answer lost or the
     * process gone) - then delivers the message again: the redelivery finishes the batch and every event counts once,
     * as event by event. (Not covered, as documented: the crash between one folded increment and its note.)
     */
    @Test
    void aCrashBetweenAnyTwoWritesIsFinishedByTheRedeliveryCountingEachEventOnce() {
        int people = 5;
        Map<String, Object> expected = expected(people);
        List<Fault> faults = List.of(new Fault("open", true), new Fault("plan", false), new Fault("plan", true),
                new Fault("saveEngagement", false), new Fault("saveEngagement", true), new Fault("suppress", true),
                new Fault("recordCampaignEvent", true), new Fault("addCounters", false), new Fault("markDone", true),
                new Fault("add", false), new Fault("recordApplied", false), new Fault("recordApplied", true),
                new Fault("finish", false), new Fault("finish", true));
        for (Fault fault : faults) {
            Sink sink = new Sink();
            List<EngagementEvent> events = mix("c-" + UUID.randomUUID().toString().substring(0, 6), sink, people);
            // a short lease: the crashed attempt's lease runs out before the redelivery (which waits for it)
            EngagementRecorder crashing = batches(sink, fault.wrap(EngagementStore.class, store),
                    fault.wrap(EngagementJournal.class, journal), fault.wrap(CampaignStore.class, campaigns),
                    fault.wrap(DeliveryStats.class, stats), fault.wrap(LifecycleStats.class, sink.lifecycle), Duration.ofMillis(300));
            if (fault.method.equals("suppress")) {
                crashing = new EngagementRecorder(fault.wrap(EngagementStore.class, store), new SubscriberService(
                        subscriberStore, new DynamoDbSubscriberCounters(dynamoDb, countersTable), Clock.systemUTC()) {
                    @Override
                    public void suppress(EmailAddress email, dev.dispatch.domain.subscriber.SubscriberStatus reason, String source) {
                        super.suppress(email, reason, source);
                        if (!fault.fired) {
                            fault.fired = true;
                            throw new Crash("suppress (after it went through)");
                        }
                    }
                }, campaigns, stats, sink.lifecycle, 3, Clock.systemUTC(), Duration.ofMillis(300), d -> Thread.sleep(d.toMillis()),
                        subscriberStore::isErased, subscriberStore::erasedAmong, journal);
            }
            String message = "crash-" + fault.method + "-" + fault.after + "-" + run;
            EngagementRecorder first = crashing;
            assertThrows(RuntimeException.class, () -> first.applyBatch(message, events, WORKERS), fault.method);
            assertTrue(fault.fired, fault.method + " was reached");
            sleep(400);
            EngagementRecorder.BatchOutcome redelivered = batches(sink).applyBatch(message, events, WORKERS);
            assertFalse(redelivered.applied().size() > events.size());
            assertTrue(batches(sink).applyBatch(message, events, WORKERS).applied().isEmpty(), "finished");
            assertEquals(comparable(expected), comparable(sink.counted()), "after a crash at " + fault.method
                    + (fault.after ? " (after it went through)" : " (before)"));
            EmailAddress last = events.get(events.size() - 1).recipient();
            assertTrue(suppressed(last), "the hard bounce suppresses");
            for (EngagementEvent e : events) {
                assertTrue(store.history(e.recipient(), null, 50).events().stream().allMatch(HistoryPage.Entry::applied),
                        "history applied after a crash at " + fault.method);
            }
        }
    }

    /** A copy of an event in another message, while the first message's batch had crashed after saving the state. */
    @Test
    void aCopyInAnotherMessageAfterACrashIsNotCountedTwice() {
        int people = 4;
        Map<String, Object> expected = expected(people);
        Sink sink = new Sink();
        List<EngagementEvent> events = mix("x-" + UUID.randomUUID().toString().substring(0, 6), sink, people);
        Fault fault = new Fault("saveEngagement", true);
        EngagementRecorder crashing = batches(sink, fault.wrap(EngagementStore.class, store), journal, campaigns, stats,
                sink.lifecycle, Duration.ofMillis(300));
        assertThrows(RuntimeException.class, () -> crashing.applyBatch("x1-" + run, events, WORKERS));
        batches(sink).applyBatch("x2-" + run, events, WORKERS); // the copy: what the crashed save applied is skipped
        sleep(400);
        batches(sink).applyBatch("x1-" + run, events, WORKERS); // the redelivery counts what its save applied
        assertEquals(comparable(expected), comparable(sink.counted()));
    }

    private boolean suppressed(EmailAddress email) {
        return !dynamoDb.getItem(b -> b.tableName(TestStack.subscriberTables().suppressions())
                .key(Map.of("email", AttributeValue.fromS(email.value()))).consistentRead(true)).item().isEmpty();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
