package dev.dispatch.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.dispatch.TestStack;
import dev.dispatch.adapter.config.ConfigFiles;
import dev.dispatch.adapter.dynamodb.DynamoDbEngagementStore;
import dev.dispatch.adapter.dynamodb.DynamoDbWarmingPool;
import dev.dispatch.adapter.dynamodb.DynamoDbWarmingStore;
import dev.dispatch.adapter.provider.PostmarkProvider;
import dev.dispatch.adapter.provider.SendGridProvider;
import dev.dispatch.domain.campaign.Campaign;
import dev.dispatch.domain.campaign.CampaignContent;
import dev.dispatch.domain.campaign.CampaignDraft;
import dev.dispatch.domain.campaign.CampaignEnqueuer;
import dev.dispatch.domain.campaign.CampaignStatus;
import dev.dispatch.domain.campaign.EnqueueProgress;
import dev.dispatch.domain.campaign.LedgerBatch;
import dev.dispatch.domain.campaign.RecipientResult;
import dev.dispatch.domain.campaign.WarmingPool;
import dev.dispatch.domain.engagement.SubscriberEngagement;
import dev.dispatch.domain.message.EmailProvider;
import dev.dispatch.domain.routing.ProviderAvailability;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.SubscriberDetails;
import dev.dispatch.domain.warming.PlanState;
import dev.dispatch.domain.warming.PlanStatus;
import dev.dispatch.domain.warming.SendingHours;
import dev.dispatch.domain.warming.WarmingConfig;
import dev.dispatch.domain.warming.WarmingPlan;
import dev.dispatch.domain.warming.WarmingSchedule;
import dev.dispatch.domain.warming.WarmingStore;
import dev.dispatch.domain.warming.WarmingThresholds;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * enqueue-campaign under an enabled warming plan, through the whole pipeline (the real adapters on dynalite and
 * ElasticMQ, send-batch, the Postmark adapter against a WireMock stub) with a clock the test moves: the campaign is
 * pooled, released most engaged first, at most the day's allowance per day (spread over the sending hours), the rest
 * on later days, and every recipient gets exactly one message, also when the enqueuer dies between reserving the
 * allowance and fixing the batches, or between fixing the batches and moving its cursor.
 */
class WarmingPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalDate DAY_ONE = LocalDate.parse("2032-05-03");
    /** Five engaged subscribers (scores 50, 40 ... 10) and 15 never engaged: 20 recipients. */
    private static final int ENGAGED = 5;
    private static final int AUDIENCE = 20;
    /** The schedule: 4, 6 and 8 a day, then warm. */
    private static final List<Long> VOLUMES = List.of(4L, 6L, 8L);
    private static WireMockServer stubs;

    @BeforeAll
    static void start() {
        stubs = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort()
                .extensions(new PostmarkBatchAnswer()));
        stubs.start();
        stubs.stubFor(WireMock.post("/email/batch").willReturn(WireMock.aResponse().withTransformers(PostmarkBatchAnswer.NAME)));
        stubs.stubFor(WireMock.post("/v3/mail/send").willReturn(WireMock.aResponse().withStatus(202)));
    }

    @AfterAll
    static void stop() {
        stubs.stop();
    }

    /** A clock the test sets. */
    static final class TestClock extends Clock {
        volatile Instant now;

        TestClock(Instant start) {
            this.now = start;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private record Setup(Pipeline pipeline, TestClock clock, String plan, DynamoDbWarmingStore plans, List<String> engagedInOrder,
            Set<String> audience, String campaignId, Map<String, EmailProvider> providers) {}

    /** Plan, audience with engagement, campaign through postmark, a warming enqueuer; {@code store} wraps the plans. */
    private static Setup setup(java.util.function.UnaryOperator<WarmingStore> storeWrapper,
            java.util.function.UnaryOperator<WarmingPool> poolWrapper) {
        return setup(storeWrapper, poolWrapper, WarmingPlan.OverAllowance.DEFER, List.of("postmark"), ProviderAvailability.ALL);
    }

    /** As above with the plan's {@code overAllowance}, the campaign's pinned providers and their availability. */
    private static Setup setup(java.util.function.UnaryOperator<WarmingStore> storeWrapper,
            java.util.function.UnaryOperator<WarmingPool> poolWrapper, WarmingPlan.OverAllowance overAllowance,
            List<String> campaignProviders, ProviderAvailability availability) {
        Pipeline p = new Pipeline();
        TestClock clock = new TestClock(DAY_ONE.atTime(20, 0).toInstant(ZoneOffset.UTC));
        String plan = "pipe-" + p.run;
        WarmingPlan warmingPlan = new WarmingPlan(plan, "postmark", "postmark-broadcast",
                new WarmingSchedule("test-" + p.run, WarmingSchedule.Unit.DAY, VOLUMES), true, new SendingHours(8, 20),
                WarmingThresholds.DEFAULT, WarmingPlan.OnWarning.HOLD, overAllowance, 3);
        WarmingConfig config = WarmingConfig.of(List.of(warmingPlan.schedule()), List.of(warmingPlan), ConfigFiles.providers());
        String control = TestStack.aws().resources().tableName("ControlTable");
        DynamoDbWarmingStore plans = new DynamoDbWarmingStore(p.dynamoDb, control);
        assertTrue(plans.save(new PlanState(plan, PlanStatus.WARMING, 1, DAY_ONE, null, List.of(), 0)));
        DynamoDbEngagementStore engagement = new DynamoDbEngagementStore(p.dynamoDb,
                TestStack.aws().resources().tableName("EngagementTable"));

        String segment = "warm-" + p.run;
        Set<String> audience = new HashSet<>();
        List<String> engagedInOrder = new ArrayList<>();
        for (int i = 0; i < AUDIENCE; i++) {
            // Addresses in the reverse order of engagement, so that the address walk alone would get it wrong.
            EmailAddress email = EmailAddress.parse(String.format("w%02d-%s@example.com", AUDIENCE - i, p.run));
            p.subscribers.add(email, SubscriberDetails.of(null, null, Map.of(), List.of(segment), null), "test");
            audience.add(email.value());
            if (i < ENGAGED) {
                Instant seen = clock.instant().minus(Duration.ofDays(1 + i));
                assertTrue(engagement.saveEngagement(new SubscriberEngagement(email, 50 - 10 * i, clock.instant(), seen,
                        seen, seen, null, 0, 1, 0, List.of(), false, 0)));
                engagedInOrder.add(email.value());
            }
        }
        Campaign campaign = p.campaigns.create(new CampaignDraft("Warm " + p.run, "news@example.com", "Example News", null,
                new CampaignContent("Hello", "Preview", "<p>Hi</p><a href=\"{{unsubscribeUrl}}\">Unsubscribe</a>", null),
                List.of(), List.of(segment), List.of(), campaignProviders));
        p.enqueueClock = clock;
        p.warming = new CampaignEnqueuer.Warming(config, storeWrapper.apply(plans),
                poolWrapper.apply(new DynamoDbWarmingPool(p.dynamoDb, control)), engagement, Duration.ZERO, availability);
        Map<String, EmailProvider> providers = new LinkedHashMap<>();
        providers.put("postmark", new PostmarkProvider(URI.create(stubs.baseUrl()), "pm-test-token", null, Duration.ofSeconds(5)));
        providers.put("sendgrid", new SendGridProvider("SG.test-key", URI.create(stubs.baseUrl()), Duration.ofSeconds(5)));
        p.campaigns.send(campaign.id(), null);
        return new Setup(p, clock, plan, plans, engagedInOrder, audience, campaign.id(), providers);
    }

    /** Messages of this run Postmark received, in the order received. */
    private static List<String> delivered(String run) throws Exception {
        List<String> to = new ArrayList<>();
        List<LoggedRequest> requests = new ArrayList<>(stubs.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo("/email/batch"))));
        requests.sort((a, b) -> a.getLoggedDate().compareTo(b.getLoggedDate()));
        for (LoggedRequest request : requests) {
            for (JsonNode message : JSON.readTree(request.getBodyAsString())) {
                String bare = message.path("To").asText().replaceAll(".*<([^>]+)>.*", "$1").strip();
                if (bare.contains(run)) {
                    to.add(bare);
                }
            }
        }
        return to;
    }

    /** Messages of this run SendGrid received. */
    private static List<String> deliveredBySendGrid(String run) throws Exception {
        List<String> to = new ArrayList<>();
        for (LoggedRequest request : stubs.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo("/v3/mail/send")))) {
            for (JsonNode personalization : JSON.readTree(request.getBodyAsString()).path("personalizations")) {
                for (JsonNode address : personalization.path("to")) {
                    String bare = address.path("email").asText().strip();
                    if (bare.contains(run)) {
                        to.add(bare);
                    }
                }
            }
        }
        return to;
    }

    /** Moves the plan to {@code day} as warming-tick would on that date. */
    private static void planDay(Setup s, int day, LocalDate date) {
        PlanState state = s.plans().find(s.plan()).orElseThrow();
        PlanStatus status = day > VOLUMES.size() ? PlanStatus.WARM : PlanStatus.WARMING;
        assertTrue(s.plans().save(state.with(status, day, date, null)));
    }

    private static void pump(Setup s, int rounds) throws Exception {
        s.pipeline().pumpRounds(s.campaignId(), s.providers(), 3, 7, rounds);
    }

    /** Runs the campaign over the schedule's days and checks each day's volume against the allowance. */
    private static void runDays(Setup s) throws Exception {
        String run = s.pipeline().run;
        // Day 1 at 14:00: half of the 08-20 sending hours have passed, so half of the day's 4.
        s.clock().now = DAY_ONE.atTime(14, 0).toInstant(ZoneOffset.UTC);
        pump(s, 25);
        assertEquals(2, delivered(run).size(), "half of day 1's allowance by mid-day");
        // The two most engaged went first.
        assertEquals(s.engagedInOrder().subList(0, 2), delivered(run));
        s.clock().now = DAY_ONE.atTime(20, 0).toInstant(ZoneOffset.UTC);
        pump(s, 25);
        assertEquals(4, delivered(run).size(), "day 1's volume");
        assertEquals(4, s.plans().used(s.plan(), DAY_ONE));

        LocalDate day2 = DAY_ONE.plusDays(1);
        planDay(s, 2, day2);
        s.clock().now = day2.atTime(20, 0).toInstant(ZoneOffset.UTC);
        pump(s, 25);
        assertEquals(10, delivered(run).size(), "day 2's volume (6) on top");
        // Batches of one release may be sent in any order; across releases the order is the rank order.
        assertEquals(Set.copyOf(s.engagedInOrder().subList(2, 4)), Set.copyOf(delivered(run).subList(2, 4)));
        assertTrue(delivered(run).subList(4, 10).contains(s.engagedInOrder().get(4)),
                "the last engaged subscriber in day 2's release, before any never-engaged one: " + delivered(run));

        LocalDate day3 = DAY_ONE.plusDays(2);
        planDay(s, 3, day3);
        s.clock().now = day3.atTime(20, 0).toInstant(ZoneOffset.UTC);
        pump(s, 25);
        assertEquals(18, delivered(run).size(), "day 3's volume (8) on top");
        assertEquals(CampaignStatus.SENDING, s.pipeline().campaignStore.find(s.campaignId()).orElseThrow().status(),
                "two recipients still wait for day 4");

        LocalDate day4 = DAY_ONE.plusDays(3);
        planDay(s, 4, day4); // past the schedule: warm, no cap
        s.clock().now = day4.atTime(9, 0).toInstant(ZoneOffset.UTC);
        s.pipeline().drive(s.campaignId(), s.providers(), 3, 7, Duration.ofSeconds(60));

        List<String> all = delivered(run);
        assertEquals(AUDIENCE, all.size(), "every recipient once: " + all);
        assertEquals(s.audience(), new HashSet<>(all));
        Campaign done = s.pipeline().campaignStore.find(s.campaignId()).orElseThrow();
        assertEquals(CampaignStatus.SENT, done.status());
        assertEquals(AUDIENCE, s.pipeline().campaignStore.counters(s.campaignId()).getOrDefault("recipients", 0L));
        Set<String> inBatches = new HashSet<>();
        for (LedgerBatch b : s.pipeline().ledgerBatches(s.campaignId(), done.progress().nextBatch())) {
            b.recipients().forEach(r -> assertTrue(inBatches.add(r.email()), r.email() + " is in two batches"));
        }
        assertEquals(AUDIENCE, inBatches.size());
    }

    @Test
    void givenAWarmingPlan_whenACampaignGoesThroughItsProvider_thenTheMostEngagedGoFirstAndEachDayFollowsTheAllowance()
            throws Exception {
        Setup s = setup(w -> w, w -> w);
        // A second wake-up of the same campaign, as a duplicated SQS message would bring.
        new dev.dispatch.adapter.sqs.SqsEnqueueRequests(s.pipeline().sqs, s.pipeline().enqueueQueue)
                .request(s.campaignId(), Duration.ZERO);
        runDays(s);
        assertEquals(Optional.of(WarmingPool.Mode.pooledBy(s.plan())),
                new DynamoDbWarmingPool(s.pipeline().dynamoDb, TestStack.aws().resources().tableName("ControlTable"))
                        .mode(s.campaignId()));
    }

    @Test
    void givenCrashesBetweenReservingAndTheLedgerAndBeforeTheCursor_whenRedelivered_thenNobodyIsSentTwice() throws Exception {
        AtomicInteger crashAfterReserve = new AtomicInteger(2);
        AtomicInteger crashBeforeRelease = new AtomicInteger(2);
        Setup s = setup(real -> new WarmingStore() {
            public Optional<PlanState> find(String plan) { return real.find(plan); }
            public boolean save(PlanState next) { return real.save(next); }
            public long used(String plan, LocalDate day) { return real.used(plan, day); }
            public long reserve(String plan, LocalDate day, long wanted, long allowance) {
                long granted = real.reserve(plan, day, wanted, allowance);
                if (granted > 0 && crashAfterReserve.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new Pipeline.SimulatedCrash("after reserving the allowance, before the ledger write");
                }
                return granted;
            }
        }, real -> new WarmingPool() {
            public Optional<Mode> mode(String c) { return real.mode(c); }
            public Mode fixMode(String c, Mode proposed) { return real.fixMode(c, proposed); }
            public boolean putPage(String c, int n, Page page) { return real.putPage(c, n, page); }
            public Optional<Page> page(String c, int n) { return real.page(c, n); }
            public Progress progress(String c) { return real.progress(c); }
            public boolean advance(String c, Progress expected, Progress next) {
                if (next.nextBatch() > expected.nextBatch() && crashBeforeRelease.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new Pipeline.SimulatedCrash("after the batches were fixed and queued, before the release cursor");
                }
                return real.advance(c, expected, next);
            }
        });
        s.clock().now = DAY_ONE.atTime(20, 0).toInstant(ZoneOffset.UTC);
        pump(s, 40);
        List<String> day1 = delivered(s.pipeline().run);
        // Day 1's whole reservation died with its invocation before any batch was fixed: the day sends less (here
        // nothing), never more, and the redelivered wake-up finds the day used up.
        assertEquals(List.of(), day1, "nothing fixed from a reservation whose invocation died");
        assertEquals(4, s.plans().used(s.plan(), DAY_ONE));
        assertEquals(1, crashAfterReserve.get());
        for (int day = 2; day <= VOLUMES.size() + 1; day++) {
            LocalDate date = DAY_ONE.plusDays(day - 1);
            planDay(s, day, date);
            s.clock().now = date.atTime(20, 0).toInstant(ZoneOffset.UTC);
            pump(s, 25);
        }
        s.pipeline().drive(s.campaignId(), s.providers(), 3, 7, Duration.ofSeconds(60));
        assertEquals(0, crashAfterReserve.get(), "day 2's reservation died too");
        assertEquals(0, crashBeforeRelease.get(), "both crashes before the release cursor happened");
        List<String> all = delivered(s.pipeline().run);
        assertEquals(AUDIENCE, all.size(), "every recipient exactly once: " + all);
        assertEquals(s.audience(), new HashSet<>(all));
        assertTrue(all.subList(0, VOLUMES.get(2).intValue()).containsAll(s.engagedInOrder()),
                "the engaged in the first release that got through (day 3): " + all);
    }

    @Test
    void givenAPausedPlan_whenTheCampaignWakesUp_thenNothingIsReleasedUntilTheRatesRecover() throws Exception {
        Setup s = setup(w -> w, w -> w);
        PlanState warming = s.plans().find(s.plan()).orElseThrow();
        assertTrue(s.plans().save(warming.with(PlanStatus.PAUSED, 1, DAY_ONE, null)));
        s.clock().now = DAY_ONE.atTime(20, 0).toInstant(ZoneOffset.UTC);
        pump(s, 25);
        assertEquals(List.of(), delivered(s.pipeline().run), "a paused plan releases nothing");
        assertEquals(0, s.plans().used(s.plan(), DAY_ONE));
        PlanState paused = s.plans().find(s.plan()).orElseThrow();
        assertTrue(s.plans().save(paused.with(PlanStatus.WARMING, 1, DAY_ONE, null)));
        pump(s, 25);
        assertEquals(Set.copyOf(s.engagedInOrder().subList(0, VOLUMES.get(0).intValue())),
                Set.copyOf(delivered(s.pipeline().run)), "resumed: the day's volume, most engaged first");
        assertEquals(VOLUMES.get(0).intValue(), delivered(s.pipeline().run).size());
    }

    @Test
    void givenNoEnabledPlanForTheProvider_whenSent_thenTheCampaignIsEnqueuedTheNormalWay() throws Exception {
        Setup s = setup(w -> w, w -> w);
        // The campaign's provider is postmark; a plan for another provider only.
        WarmingPlan other = new WarmingPlan("other-" + s.pipeline().run, "ses", "ses-shared",
                new WarmingSchedule("o-" + s.pipeline().run, WarmingSchedule.Unit.DAY, List.of(1L)), true,
                SendingHours.ALL_DAY, WarmingThresholds.DEFAULT, WarmingPlan.OnWarning.HOLD,
                WarmingPlan.OverAllowance.DEFER, 3);
        s.pipeline().warming = new CampaignEnqueuer.Warming(WarmingConfig.of(List.of(other.schedule()), List.of(other),
                ConfigFiles.providers()), s.plans(), new DynamoDbWarmingPool(s.pipeline().dynamoDb,
                TestStack.aws().resources().tableName("ControlTable")), (emails, now) -> Map.of(), Duration.ZERO);
        s.pipeline().drive(s.campaignId(), s.providers(), 3, 7, Duration.ofSeconds(60));
        assertEquals(AUDIENCE, delivered(s.pipeline().run).size());
        Campaign done = s.pipeline().campaignStore.find(s.campaignId()).orElseThrow();
        assertEquals(CampaignStatus.SENT, done.status());
        assertTrue(done.progress().complete() && !done.progress().equals(EnqueueProgress.START));
        assertEquals(0, s.plans().used(s.plan(), DAY_ONE), "nothing reserved");
    }

    @Test
    void givenARoutePlan_whenTheCampaignIsOverTheAllowance_thenTheMostEngagedGoThroughThePlanAndTheRestThroughTheWarmProvider()
            throws Exception {
        Setup s = setup(w -> w, w -> w, WarmingPlan.OverAllowance.ROUTE, List.of("postmark", "sendgrid"),
                ProviderAvailability.ALL);
        String run = s.pipeline().run;
        s.pipeline().duplicateDeliveries = true; // every batch handled twice: still one message each
        // Day 1 at 14:00: 2 of the day's 4 are released; the other 18 are over the allowance.
        s.clock().now = DAY_ONE.atTime(14, 0).toInstant(ZoneOffset.UTC);
        s.pipeline().drive(s.campaignId(), s.providers(), 3, 7, Duration.ofSeconds(60));

        assertEquals(s.engagedInOrder().subList(0, 2), delivered(run), "the plan's allowance to the most engaged");
        List<String> overflow = deliveredBySendGrid(run);
        assertEquals(AUDIENCE - 2, overflow.size(), "the rest through the warm provider, each once: " + overflow);
        Set<String> everyone = new HashSet<>(delivered(run));
        overflow.forEach(a -> assertTrue(everyone.add(a), a + " got two messages"));
        assertEquals(s.audience(), everyone);
        assertEquals(2, s.plans().used(s.plan(), DAY_ONE), "the overflow takes nothing of the plan's allowance");

        Campaign done = s.pipeline().campaignStore.find(s.campaignId()).orElseThrow();
        assertEquals(CampaignStatus.SENT, done.status());
        Map<String, Long> counters = s.pipeline().campaignStore.counters(s.campaignId());
        assertEquals(AUDIENCE - 2, counters.getOrDefault("route.warming-overflow:" + s.plan(), 0L), counters.toString());
        assertEquals(AUDIENCE - 2, counters.getOrDefault("provider.sendgrid.sent", 0L));
        assertEquals(2, counters.getOrDefault("provider.postmark.sent", 0L));
        int overflowResults = 0;
        for (LedgerBatch b : s.pipeline().ledgerBatches(s.campaignId(), done.progress().nextBatch())) {
            for (RecipientResult r : b.results().values()) {
                if (b.overflow() != null) {
                    assertEquals("sendgrid", r.provider());
                    assertEquals("warming-overflow:" + s.plan(), r.route());
                    overflowResults++;
                } else {
                    assertEquals("postmark", r.provider());
                }
            }
        }
        assertEquals(AUDIENCE - 2, overflowResults);
    }

    @Test
    void givenARoutePlanAndTheOtherProviderUnhealthy_whenOverTheAllowance_thenTheyWaitUntilItIsHealthyAgain()
            throws Exception {
        java.util.concurrent.atomic.AtomicBoolean sendgridHealthy = new java.util.concurrent.atomic.AtomicBoolean(false);
        Setup s = setup(w -> w, w -> w, WarmingPlan.OverAllowance.ROUTE, List.of("postmark", "sendgrid"),
                (providers, now) -> providers.stream().filter(p -> !p.equals("sendgrid") || sendgridHealthy.get()).toList());
        String run = s.pipeline().run;
        s.clock().now = DAY_ONE.atTime(14, 0).toInstant(ZoneOffset.UTC);
        pump(s, 25);
        assertEquals(s.engagedInOrder().subList(0, 2), delivered(run), "only the allowance, as with defer");
        assertEquals(List.of(), deliveredBySendGrid(run), "nothing through an unhealthy provider");
        assertEquals(CampaignStatus.SENDING, s.pipeline().campaignStore.find(s.campaignId()).orElseThrow().status());

        sendgridHealthy.set(true);
        s.pipeline().drive(s.campaignId(), s.providers(), 3, 7, Duration.ofSeconds(60));
        assertEquals(2, delivered(run).size(), "the plan's allowance was used up by then");
        assertEquals(AUDIENCE - 2, deliveredBySendGrid(run).size());
        Set<String> everyone = new HashSet<>(delivered(run));
        everyone.addAll(deliveredBySendGrid(run));
        assertEquals(s.audience(), everyone);
    }

    @Test
    void givenARoutePlanAndCrashesBeforeTheReleaseCursor_whenRedelivered_thenTheOverflowIsNotSentTwice() throws Exception {
        AtomicInteger crashBeforeRelease = new AtomicInteger(2);
        Setup s = setup(w -> w, real -> new WarmingPool() {
            public Optional<Mode> mode(String c) { return real.mode(c); }
            public Mode fixMode(String c, Mode proposed) { return real.fixMode(c, proposed); }
            public boolean putPage(String c, int n, Page page) { return real.putPage(c, n, page); }
            public Optional<Page> page(String c, int n) { return real.page(c, n); }
            public Progress progress(String c) { return real.progress(c); }
            public boolean advance(String c, Progress expected, Progress next) {
                if (next.nextBatch() > expected.nextBatch() && crashBeforeRelease.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new Pipeline.SimulatedCrash("after the plan's and the overflow's batches were fixed and queued");
                }
                return real.advance(c, expected, next);
            }
        }, WarmingPlan.OverAllowance.ROUTE, List.of("postmark", "sendgrid"), ProviderAvailability.ALL);
        String run = s.pipeline().run;
        s.clock().now = DAY_ONE.atTime(14, 0).toInstant(ZoneOffset.UTC);
        s.pipeline().drive(s.campaignId(), s.providers(), 3, 7, Duration.ofSeconds(60));

        assertEquals(0, crashBeforeRelease.get(), "both crashes happened");
        List<String> all = new ArrayList<>(delivered(run));
        all.addAll(deliveredBySendGrid(run));
        assertEquals(AUDIENCE, all.size(), "every recipient exactly once: " + all);
        assertEquals(s.audience(), new HashSet<>(all));
        assertEquals(s.engagedInOrder().subList(0, 2), delivered(run), "the allowance still to the most engaged");
        assertEquals(2, s.plans().used(s.plan(), DAY_ONE), "a re-run follows the stored batches and reserves nothing again");
    }
}
