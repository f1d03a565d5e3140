package dev.dispatch.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.adapter.dynamodb.DynamoDbEngagementStore;
import dev.dispatch.adapter.dynamodb.DynamoDbWavePlan;
import dev.dispatch.domain.campaign.Campaign;
import dev.dispatch.domain.campaign.CampaignContent;
import dev.dispatch.domain.campaign.CampaignDraft;
import dev.dispatch.domain.campaign.CampaignEnqueuer;
import dev.dispatch.domain.campaign.CampaignStatus;
import dev.dispatch.domain.campaign.EngagementTimes;
import dev.dispatch.domain.campaign.LedgerBatch;
import dev.dispatch.domain.campaign.SendTime;
import dev.dispatch.domain.campaign.WavePlan;
import dev.dispatch.domain.message.EmailProvider;
import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.message.SendResult;
import dev.dispatch.domain.subscriber.SubscriberDetails;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Send-time waves through the pipeline (the real adapters on dynalite and ElasticMQ, send-batch to a recording
 * provider) with an enqueue clock the test moves, and the enqueue dying between a wave's ledger batch (stored and
 * queued) and its release cursor, and between planning a page and moving the plan: every recipient once, each at
 * their wave's instant or later, nobody before it.
 */
class SendTimePipelineTest {
    private static final Instant T0 = Instant.parse("2032-06-01T05:30:00Z"); // 06:30/07:30 Berlin, 01:30 NY, 14:30 Tokyo
    private static final Instant BERLIN_NINE = Instant.parse("2032-06-01T07:00:00Z"); // CEST
    private static final Instant NEW_YORK_NINE = Instant.parse("2032-06-01T13:00:00Z"); // EDT
    private static final Instant TOKYO_NINE = Instant.parse("2032-06-02T00:00:00Z");

    /** Records who got a message at which enqueue-clock time. */
    private static final class Recording implements EmailProvider {
        final Map<String, List<Instant>> sent = new ConcurrentHashMap<>();
        final WarmingPipelineTest.TestClock clock;

        Recording(WarmingPipelineTest.TestClock clock) {
            this.clock = clock;
        }

        public String name() {
            return "ses";
        }

        public int maxBatchSize() {
            return 50;
        }

        public List<SendResult> send(List<OutgoingMessage> batch, Duration timeout) {
            List<SendResult> results = new ArrayList<>();
            for (OutgoingMessage m : batch) {
                sent.computeIfAbsent(m.to().key(), k -> Collections.synchronizedList(new ArrayList<>())).add(clock.instant());
                results.add(SendResult.accepted(m.to(), "id-" + m.to().key()));
            }
            return results;
        }
    }

    /** A wave plan whose release step dies once right after its batch is stored and queued, before the cursor moves. */
    private record CrashingPlan(WavePlan real, AtomicInteger releaseCrashes, AtomicInteger collectCrashes) implements WavePlan {
        public boolean putPage(String c, int n, Page page) {
            return real.putPage(c, n, page);
        }

        public Optional<Page> page(String c, int n) {
            return real.page(c, n);
        }

        public Progress progress(String c) {
            return real.progress(c);
        }

        public boolean advance(String c, Progress expected, Progress next) {
            boolean releasing = next.nextBatch() > expected.nextBatch();
            boolean collecting = next.nextPage() > expected.nextPage();
            if ((releasing && releaseCrashes.getAndUpdate(n -> Math.max(0, n - 1)) > 0)
                    || (collecting && collectCrashes.getAndUpdate(n -> Math.max(0, n - 1)) > 0)) {
                throw new Pipeline.SimulatedCrash("before the wave plan moved");
            }
            return real.advance(c, expected, next);
        }
    }

    @Test
    void givenThreeZonesAndCrashes_whenTheClockPassesEachWave_thenEachWaveGoesAtItsTimeAndEveryoneOnce() throws Exception {
        Pipeline p = new Pipeline();
        WarmingPipelineTest.TestClock clock = new WarmingPipelineTest.TestClock(T0);
        p.enqueueClock = clock;
        p.abTestCheckInterval = Duration.ofSeconds(1);
        p.duplicateDeliveries = true;
        String control = dev.dispatch.TestStack.aws().resources().tableName("ControlTable");
        String engagement = dev.dispatch.TestStack.aws().resources().tableName("EngagementTable");
        AtomicInteger releaseCrashes = new AtomicInteger(2);
        AtomicInteger collectCrashes = new AtomicInteger(1);
        p.sendTimes = new CampaignEnqueuer.SendTimes(
                new CrashingPlan(new DynamoDbWavePlan(p.dynamoDb, control), releaseCrashes, collectCrashes),
                EngagementTimes.from(new DynamoDbEngagementStore(p.dynamoDb, engagement)));
        String segment = "st-" + p.run;
        Map<String, Instant> due = new HashMap<>();
        String[] zones = {"Europe/Berlin", "America/New_York", "Asia/Tokyo"};
        Instant[] nine = {BERLIN_NINE, NEW_YORK_NINE, TOKYO_NINE};
        for (int i = 0; i < 21; i++) {
            String email = String.format("st%02d-%s@example.com", i, p.run);
            p.subscribers.add(new dev.dispatch.domain.subscriber.EmailAddress(email), SubscriberDetails.of(null, null, Map.of(), List.of(segment), zones[i % 3]), "test");
            due.put(email, nine[i % 3]);
        }
        Campaign campaign = p.campaigns.create(new CampaignDraft("Waves " + p.run, "news@example.com", "Example", null,
                new CampaignContent("Morning", null, "<p>Hi</p>", null), List.of(), List.of(segment), List.of(), List.of(),
                null, new SendTime.Input("local", 9, 0, "UTC")));
        Recording provider = new Recording(clock);
        Map<String, EmailProvider> providers = Map.of("ses", provider);
        p.campaigns.send(campaign.id(), null);

        p.pumpRounds(campaign.id(), providers, 4, 5, 40); // plan (pages of 5), then wait: nothing is due
        assertTrue(provider.sent.isEmpty(), "nobody before their wave: " + provider.sent.keySet());
        assertTrue(p.ledgerBatches(campaign.id(), 10).isEmpty(), "no batch before its wave");

        for (Instant wave : List.of(BERLIN_NINE, NEW_YORK_NINE, TOKYO_NINE)) {
            clock.now = wave.minusSeconds(1);
            p.pumpRounds(campaign.id(), providers, 4, 5, 10);
            for (String email : provider.sent.keySet()) {
                assertTrue(due.get(email).isBefore(wave), email + " was sent before its wave");
            }
            clock.now = wave.plusSeconds(1);
            long expected = due.values().stream().filter(d -> !d.isAfter(wave)).count();
            Instant limit = Instant.now().plusSeconds(60);
            while (provider.sent.size() < expected && Instant.now().isBefore(limit)) {
                p.pumpRounds(campaign.id(), providers, 4, 5, 10);
            }
            assertEquals(expected, provider.sent.size(), "the wave at " + wave + " and those before it");
        }
        p.drive(campaign.id(), providers, 4, 5, Duration.ofSeconds(60));

        assertEquals(CampaignStatus.SENT, p.campaignStore.find(campaign.id()).orElseThrow().status());
        assertEquals(due.keySet(), provider.sent.keySet(), "everyone");
        for (Map.Entry<String, List<Instant>> e : provider.sent.entrySet()) {
            assertEquals(1, e.getValue().size(), e.getKey() + " sent more than once");
            Instant at = e.getValue().get(0);
            assertTrue(!at.isBefore(due.get(e.getKey())) && at.isBefore(due.get(e.getKey()).plusSeconds(60)),
                    e.getKey() + " sent at " + at + ", due " + due.get(e.getKey()));
            assertEquals(9, at.atZone(ZoneId.of(zones[Integer.parseInt(e.getKey().substring(2, 4)) % 3])).getHour());
        }
        assertEquals(0, releaseCrashes.get(), "the release crashes happened");
        assertEquals(0, collectCrashes.get(), "the planning crash happened");
        List<LedgerBatch> batches = p.ledgerBatches(campaign.id(), 20);
        assertEquals(6, batches.size(), "two batches of 4+3 per wave: " + batches.size());
        assertEquals(21, p.campaignStore.counters(campaign.id()).get("recipients"));
    }
}
