package dev.dispatch.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.dispatch.adapter.provider.PostmarkProvider;
import dev.dispatch.adapter.sqs.SqsEnqueueRequests;
import dev.dispatch.domain.campaign.AbTest;
import dev.dispatch.domain.campaign.AbTestDecision;
import dev.dispatch.domain.campaign.Campaign;
import dev.dispatch.domain.campaign.CampaignContent;
import dev.dispatch.domain.campaign.CampaignDraft;
import dev.dispatch.domain.campaign.CampaignStatus;
import dev.dispatch.domain.campaign.LedgerBatch;
import dev.dispatch.domain.campaign.Variant;
import dev.dispatch.domain.campaign.VariantAssignment;
import dev.dispatch.domain.message.EmailProvider;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.SubscriberDetails;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A/B tests that decide, through the whole pipeline (the real adapters on dynalite and ElasticMQ, send-batch, the
 * Postmark adapter against a WireMock stub) with an enqueue clock the test moves: the sample alone goes out, nobody
 * else before the wait is over, then the decision (a winner, or the fallback) and the rest - every recipient exactly
 * once, with duplicated wake-ups and send deliveries, and crashes between the decision and the remainder walk.
 */
class AbTestPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Enough that every variant of the 50 % sample is well above the minimum of 30, whatever the run id hashes to. */
    private static final int AUDIENCE = 300;
    private static final Instant T0 = Instant.parse("2032-06-01T09:00:00Z");
    private static WireMockServer stubs;

    @BeforeAll
    static void start() {
        stubs = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort()
                .extensions(new PostmarkBatchAnswer()));
        stubs.start();
        stubs.stubFor(WireMock.post("/email/batch").willReturn(WireMock.aResponse().withTransformers(PostmarkBatchAnswer.NAME)));
    }

    @AfterAll
    static void stop() {
        stubs.stop();
    }

    private record Setup(Pipeline pipeline, WarmingPipelineTest.TestClock clock, Campaign campaign, Set<String> audience,
            Map<String, EmailProvider> providers) {}

    private static Setup setup(String fallback) {
        Pipeline p = new Pipeline();
        WarmingPipelineTest.TestClock clock = new WarmingPipelineTest.TestClock(T0);
        p.enqueueClock = clock;
        p.abTestCheckInterval = Duration.ofSeconds(1);
        p.duplicateDeliveries = true;
        String segment = "ab-" + p.run;
        Set<String> audience = new HashSet<>();
        for (int i = 0; i < AUDIENCE; i++) {
            EmailAddress email = EmailAddress.parse(String.format("ab%03d-%s@example.com", i, p.run));
            p.subscribers.add(email, SubscriberDetails.of(null, null, Map.of(), List.of(segment), null), "test");
            audience.add(email.value());
        }
        Campaign campaign = p.campaigns.create(new CampaignDraft("AB " + p.run, "news@example.com", "Example News", null,
                new CampaignContent("Hello", null, "<p>Hi</p><a href=\"{{unsubscribeUrl}}\">Unsubscribe</a>", null),
                List.of(new Variant("A", 50, "Subject A", null, null), new Variant("B", 50, "Subject B", null, null)),
                List.of(segment), List.of(), List.of("postmark"),
                new AbTest.Input(50, 60, "open", 30, 0.95, fallback)));
        Map<String, EmailProvider> providers = Map.of("postmark",
                new PostmarkProvider(URI.create(stubs.baseUrl()), "pm-test-token", null, Duration.ofSeconds(5)));
        p.campaigns.send(campaign.id(), null);
        return new Setup(p, clock, campaign, audience, providers);
    }

    /** Subject by address, for every message of this run Postmark received (a second message fails the test). */
    private static Map<String, String> delivered(String run) throws Exception {
        Map<String, String> subjects = new HashMap<>();
        for (LoggedRequest request : stubs.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo("/email/batch")))) {
            for (JsonNode message : JSON.readTree(request.getBodyAsString())) {
                String to = message.path("To").asText().replaceAll(".*<([^>]+)>.*", "$1").strip();
                if (to.contains(run)) {
                    String before = subjects.put(to, message.path("Subject").asText());
                    assertNull(before, to + " received a second message");
                }
            }
        }
        return subjects;
    }

    private static void pumpUntil(Setup s, BooleanSupplier done, String what) throws Exception {
        Instant limit = Instant.now().plusSeconds(60);
        while (!done.getAsBoolean()) {
            assertTrue(Instant.now().isBefore(limit), "timed out waiting for: " + what);
            s.pipeline().pumpRounds(s.campaign().id(), s.providers(), 10, 25, 10);
        }
    }

    private static Set<String> sample(Setup s) {
        Set<String> sample = new HashSet<>();
        for (String address : s.audience()) {
            if (VariantAssignment.inSample(s.campaign().id(), new EmailAddress(address).key(), 50)) {
                sample.add(address);
            }
        }
        return sample;
    }

    private static String variantOf(Setup s, String address) {
        return VariantAssignment.variantFor(s.campaign().id(), new EmailAddress(address).key(), s.campaign().variants());
    }

    /**
     * Sends the sample and checks that it alone went out, then counts opens as apply-engagement does (the per-variant
     * unique counters on the campaign): {@code rateA} and {@code rateB} of each variant's sample opened.
     */
    private static Set<String> sendSampleAndOpen(Setup s, double rateA, double rateB) throws Exception {
        String run = s.pipeline().run;
        Set<String> sample = sample(s);
        pumpUntil(s, () -> {
            try {
                return delivered(run).size() >= sample.size()
                        && s.pipeline().campaignStore.abTestState(s.campaign().id()).decideAt() != null;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, "the sample sent and the wait fixed");
        Map<String, String> sent = delivered(run);
        assertEquals(sample, sent.keySet(), "the sample and nobody else");
        sent.forEach((to, subject) -> assertEquals("Subject " + variantOf(s, to), subject));
        assertEquals(T0.plus(Duration.ofMinutes(60)), s.pipeline().campaignStore.abTestState(s.campaign().id()).decideAt());
        Map<String, Long> opens = new HashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String to : sample) {
            String variant = variantOf(s, to);
            int n = seen.merge(variant, 1, Integer::sum);
            double rate = variant.equals("A") ? rateA : rateB;
            // The first rate x 100 % of each variant's recipients (by a running share) opened.
            long before = Math.round((n - 1) * rate);
            if (Math.round(n * rate) > before) {
                opens.merge("variant." + variant + ".uniqueOpened", 1L, Long::sum);
                opens.merge("uniqueOpened", 1L, Long::sum);
            }
        }
        s.pipeline().campaignStore.addCounters(s.campaign().id(), opens);
        return sample;
    }

    /** Checks the end: every recipient exactly once, the sample with its variant, the rest with {@code rest}. */
    private static void assertEveryoneOnce(Setup s, Set<String> sample, String rest) throws Exception {
        Map<String, String> sent = delivered(s.pipeline().run);
        assertEquals(s.audience(), sent.keySet(), "every recipient");
        for (Map.Entry<String, String> e : sent.entrySet()) {
            String expected = sample.contains(e.getKey()) || rest.equals(AbTest.SPLIT) ? variantOf(s, e.getKey()) : rest;
            assertEquals("Subject " + expected, e.getValue(), e.getKey());
        }
        Campaign done = s.pipeline().campaignStore.find(s.campaign().id()).orElseThrow();
        assertEquals(CampaignStatus.SENT, done.status());
        assertEquals(AUDIENCE, s.pipeline().campaignStore.counters(s.campaign().id()).getOrDefault("recipients", 0L));
        Set<String> inBatches = new HashSet<>();
        for (LedgerBatch b : s.pipeline().ledgerBatches(s.campaign().id(), done.progress().nextBatch())) {
            b.recipients().forEach(r -> assertTrue(inBatches.add(r.email()), r.email() + " is in two batches"));
        }
        assertEquals(AUDIENCE, inBatches.size());
    }

    @Test
    void givenVariantBOpenedFarMore_whenTheWaitIsOver_thenBWinsAndGoesToEveryoneElseOnce() throws Exception {
        Setup s = setup("A");
        Set<String> sample = sendSampleAndOpen(s, 0.10, 0.60);

        // Half-way through the wait, with duplicated wake-ups: nobody else yet.
        s.clock().now = T0.plus(Duration.ofMinutes(30));
        new SqsEnqueueRequests(s.pipeline().sqs, s.pipeline().enqueueQueue).request(s.campaign().id(), Duration.ZERO);
        new SqsEnqueueRequests(s.pipeline().sqs, s.pipeline().enqueueQueue).request(s.campaign().id(), Duration.ZERO);
        s.pipeline().pumpRounds(s.campaign().id(), s.providers(), 10, 25, 30);
        assertEquals(sample, delivered(s.pipeline().run).keySet(), "nobody outside the sample during the wait");
        assertNull(s.pipeline().campaignStore.abTestState(s.campaign().id()).decision());

        s.clock().now = T0.plus(Duration.ofMinutes(61));
        s.pipeline().drive(s.campaign().id(), s.providers(), 10, 25, Duration.ofSeconds(90));
        AbTestDecision decision = s.pipeline().campaignStore.abTestState(s.campaign().id()).decision();
        assertEquals("B", decision.winner(), decision.toString());
        assertEquals("B", decision.sendTo());
        assertFalse(decision.fallbackUsed());
        assertEquals(AbTestDecision.SIGNIFICANT, decision.reason());
        assertTrue(decision.confidence() > 0.95 && decision.z() > 0, "z " + decision.z());
        assertEquals(2, decision.variants().size());
        assertEveryoneOnce(s, sample, "B");
    }

    @Test
    void givenEqualOpenRates_whenTheWaitIsOver_thenNoWinnerAndTheFallbackSplitGoesToEveryoneElseOnce() throws Exception {
        Setup s = setup(AbTest.SPLIT);
        Set<String> sample = sendSampleAndOpen(s, 0.30, 0.30);
        s.clock().now = T0.plus(Duration.ofMinutes(61));
        s.pipeline().drive(s.campaign().id(), s.providers(), 10, 25, Duration.ofSeconds(90));
        AbTestDecision decision = s.pipeline().campaignStore.abTestState(s.campaign().id()).decision();
        assertNull(decision.winner());
        assertEquals(AbTest.SPLIT, decision.sendTo());
        assertTrue(decision.fallbackUsed());
        assertEquals(AbTestDecision.NOT_SIGNIFICANT, decision.reason(), decision.toString());
        assertEveryoneOnce(s, sample, AbTest.SPLIT);
    }

    @Test
    void givenCrashesAndRedeliveriesAroundTheDecision_whenDriven_thenItIsDecidedOnceAndNobodyIsSentTwice() throws Exception {
        Setup s = setup("A");
        Set<String> sample = sendSampleAndOpen(s, 0.10, 0.60);
        s.clock().now = T0.plus(Duration.ofMinutes(61));
        // The first wake-up after the wait decides, then dies before the remainder walk starts, and so does its
        // redelivery (which reads the stored decision); later, two die before moving the remainder's cursor (after
        // fixing and queueing its batches). Extra wake-ups come as duplicated SQS messages would.
        s.pipeline().enqueueCrashesBeforeRestart.set(2);
        s.pipeline().enqueueCrashesBeforeAdvance.set(2);
        SqsEnqueueRequests wakeUps = new SqsEnqueueRequests(s.pipeline().sqs, s.pipeline().enqueueQueue);
        wakeUps.request(s.campaign().id(), Duration.ZERO);
        pumpUntil(s, () -> s.pipeline().campaignStore.abTestState(s.campaign().id()).decision() != null, "the decision");
        AbTestDecision first = s.pipeline().campaignStore.abTestState(s.campaign().id()).decision();
        assertEquals("B", first.winner());
        // Opens that would turn the test around arrive after the decision: the stored decision stands.
        s.pipeline().campaignStore.addCounters(s.campaign().id(), Map.of("variant.A.uniqueOpened", 200L));
        for (int i = 0; i < 3; i++) {
            wakeUps.request(s.campaign().id(), Duration.ZERO);
        }
        s.pipeline().drive(s.campaign().id(), s.providers(), 10, 25, Duration.ofSeconds(90));
        assertEquals(0, s.pipeline().enqueueCrashesBeforeAdvance.get(), "both crashes in the remainder walk happened");
        assertEquals(0, s.pipeline().enqueueCrashesBeforeRestart.get(), "both crashes before the remainder walk happened");
        AbTestDecision stored = s.pipeline().campaignStore.abTestState(s.campaign().id()).decision();
        assertNotNull(stored);
        assertEquals(first, stored, "decided once");
        assertEveryoneOnce(s, sample, "B");
        List<String> subjects = new ArrayList<>(delivered(s.pipeline().run).values());
        assertTrue(subjects.contains("Subject A"), "the sample's A recipients kept A");
    }
}
