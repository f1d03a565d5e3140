package dev.dispatch.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.dispatch.adapter.provider.PostmarkProvider;
import dev.dispatch.domain.campaign.Campaign;
import dev.dispatch.domain.campaign.CampaignContent;
import dev.dispatch.domain.campaign.CampaignDraft;
import dev.dispatch.domain.campaign.CampaignStatus;
import dev.dispatch.domain.campaign.LedgerBatch;
import dev.dispatch.domain.campaign.RecipientResult;
import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.config.ProviderSettings;
import dev.dispatch.domain.message.EmailProvider;
import dev.dispatch.domain.metrics.MetricNames;
import dev.dispatch.domain.pacing.InMemoryPacingStore;
import dev.dispatch.domain.pacing.SharedPacing;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.SubscriberDetails;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The send path with pacing, on the real adapters: a Postmark stand-in (WireMock) limited by the shared rate and
 * daily quota. Checked at the provider: no second above the rate, recipients over the quota deferred (not dropped)
 * and sent exactly once when the next day's quota allows.
 */
class PacedPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static WireMockServer stub;

    @BeforeAll
    static void start() {
        stub = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort()
                .extensions(new PostmarkBatchAnswer()));
        stub.start();
        stub.stubFor(WireMock.post("/email/batch").willReturn(WireMock.aResponse().withTransformers(PostmarkBatchAnswer.NAME)));
    }

    @AfterAll
    static void stop() {
        stub.stop();
    }

    private static Map<String, EmailProvider> postmark() {
        return Map.of("postmark", new PostmarkProvider(URI.create(stub.baseUrl()), "pm-test-token", null, Duration.ofSeconds(5)));
    }

    private static ProviderCatalog catalog(int rate, long quota) {
        return ProviderCatalog.of(List.of(new ProviderSettings("postmark", rate, quota, 500, true, List.of())));
    }

    private static List<String> audience(Pipeline p, int count, String segment) {
        List<String> active = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            EmailAddress email = EmailAddress.parse(String.format("r%04d-%s@example.com", i, p.run));
            p.subscribers.add(email, SubscriberDetails.of(null, null, Map.of(), List.of(segment), null), "test");
            active.add(email.value());
        }
        return active;
    }

    private static Campaign campaign(Pipeline p, String segment) {
        return p.campaigns.create(new CampaignDraft("Paced " + p.run, "news@example.com", "Example", null,
                new CampaignContent("Hello", null, "<p>Hi</p><a href=\"{{unsubscribeUrl}}\">Unsubscribe</a>", null),
                List.of(), List.of(segment), List.of(), List.of("postmark")));
    }

    /** Messages each of this run's addresses received, with the second (at the stub) each call arrived in. */
    private static Map<String, Integer> delivered(String run, Map<Long, Integer> perSecond) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        for (LoggedRequest request : stub.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo("/email/batch")))) {
            int inCall = 0;
            for (JsonNode message : JSON.readTree(request.getBodyAsString())) {
                String to = message.path("To").asText().replaceAll(".*<([^>]+)>.*", "$1").strip();
                if (to.contains(run)) {
                    counts.merge(to, 1, Integer::sum);
                    inCall++;
                }
            }
            if (inCall > 0) {
                perSecond.merge(request.getLoggedDate().getTime() / 1000, inCall, Integer::sum);
            }
        }
        return counts;
    }

    /** One metric of the sender's published measurements, summed over providers (all postmark here). */
    private static long measured(Pipeline p, String metric) {
        synchronized (p.measured) {
            return p.measured.stream().flatMap(m -> m.countsByProvider().values().stream())
                    .mapToLong(counts -> counts.getOrDefault(metric, 0L)).sum();
        }
    }

    private static Map<RecipientResult.Fate, Integer> fates(Pipeline p, String campaignId) {
        Map<RecipientResult.Fate, Integer> fates = new HashMap<>();
        Campaign c = p.campaignStore.find(campaignId).orElseThrow();
        for (LedgerBatch b : p.ledgerBatches(campaignId, c.progress().nextBatch())) {
            b.results().values().forEach(r -> fates.merge(r.fate(), 1, Integer::sum));
        }
        return fates;
    }

    @Test
    void givenARateBelowTheAudiencesSize_whenSent_thenNoSecondGoesAboveTheRateAndEveryoneGetsExactlyOne() throws Exception {
        Pipeline p = new Pipeline();
        String segment = "paced-" + p.run;
        List<String> active = audience(p, 240, segment);
        InMemoryPacingStore store = new InMemoryPacingStore();
        p.pacing = new SharedPacing(store, catalog(60, 1_000_000), Clock.systemUTC());
        p.maxPacingWait = Duration.ZERO; // no waiting here: every paced batch is handed back and comes again
        Campaign c = campaign(p, segment);
        p.campaigns.send(c.id(), null);
        Instant started = Instant.now();
        p.drive(c.id(), postmark(), 40, 240, Duration.ofSeconds(60));

        Map<Long, Integer> perSecond = new TreeMap<>();
        Map<String, Integer> delivered = delivered(p.run, perSecond);
        assertEquals(active.size(), delivered.size(), "everyone got a message");
        assertTrue(delivered.values().stream().allMatch(n -> n == 1), "nobody got two: " + delivered);
        assertTrue(perSecond.values().stream().allMatch(n -> n <= 60), "messages per second at the provider: " + perSecond);
        assertTrue(Duration.between(started, Instant.now()).toMillis() >= 3000, "240 at 60/s take at least 3 s");
        assertTrue(p.requeued.get() > 0, "some batch waited longer than its pacing wait and was queued again");
        assertEquals(Map.of(RecipientResult.Fate.SENT, 240), fates(p, c.id()));
        // The metrics: every message sent counted once; the hand-backs counted as deferred recipients.
        assertEquals(240L, measured(p, MetricNames.SENT));
        assertTrue(measured(p, MetricNames.DEFERRED) > 0, "paced batches were handed back with recipients left");
    }

    @Test
    void givenADailyQuotaSmallerThanTheAudience_thenTheRestIsDeferredUntilTheNextDayAndThenSentExactlyOnce() throws Exception {
        Pipeline p = new Pipeline();
        String segment = "quota-" + p.run;
        List<String> active = audience(p, 100, segment);
        InMemoryPacingStore store = new InMemoryPacingStore();
        p.pacing = new SharedPacing(store, catalog(1000, 70), Clock.systemUTC());
        p.requeueDelayCap = Duration.ZERO; // the 15-minute re-check comes at once here
        Campaign c = campaign(p, segment);
        p.campaigns.send(c.id(), null);
        p.pumpRounds(c.id(), postmark(), 10, 100, 25);

        Map<String, Integer> firstDay = delivered(p.run, new TreeMap<>());
        assertEquals(70, firstDay.size(), "the day's quota went out");
        assertTrue(firstDay.values().stream().allMatch(n -> n == 1));
        assertEquals(CampaignStatus.SENDING, p.campaignStore.find(c.id()).orElseThrow().status(), "the rest is deferred, not dropped");
        assertEquals(Map.of(RecipientResult.Fate.SENT, 70), fates(p, c.id()), "the rest has no result yet");
        assertTrue(p.requeued.get() > 0);
        assertEquals(70L, measured(p, MetricNames.SENT));
        assertTrue(measured(p, MetricNames.DEFERRED) >= 30, "the 30 over the quota were deferred (at each re-check)");

        // The next UTC day: the quota allows the rest.
        p.pacing = new SharedPacing(store, catalog(1000, 70), Clock.offset(Clock.systemUTC(), Duration.ofDays(1)));
        p.drive(c.id(), postmark(), 10, 100, Duration.ofSeconds(60));
        Map<String, Integer> delivered = delivered(p.run, new TreeMap<>());
        assertEquals(active.size(), delivered.size(), "everyone got a message");
        assertTrue(delivered.values().stream().allMatch(n -> n == 1), "nobody got two: " + delivered);
        assertEquals(Map.of(RecipientResult.Fate.SENT, 100), fates(p, c.id()));
    }
}
