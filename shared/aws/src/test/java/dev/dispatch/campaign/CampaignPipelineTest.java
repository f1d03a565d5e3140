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
import dev.dispatch.adapter.provider.PostmarkProvider;
import dev.dispatch.adapter.provider.SendGridProvider;
import dev.dispatch.adapter.provider.SesProvider;
import dev.dispatch.domain.campaign.Campaign;
import dev.dispatch.domain.campaign.CampaignContent;
import dev.dispatch.domain.campaign.CampaignDraft;
import dev.dispatch.domain.campaign.CampaignStatus;
import dev.dispatch.domain.campaign.LedgerBatch;
import dev.dispatch.domain.campaign.RecipientResult;
import dev.dispatch.domain.campaign.Variant;
import dev.dispatch.domain.message.EmailProvider;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.SubscriberDetails;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ses.SesClient;

/**
 * Campaigns through the whole pipeline - enqueue, ledger, queues, rendering, the real provider adapters against
 * aws-ses-v2-local and WireMock stubs - checked on the messages the providers received: exactly one per active
 * recipient, none to a suppressed one, also under injected faults, duplicate deliveries, crashes and pauses.
 */
class CampaignPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static WireMockServer stubs;
    private static SesClient ses;

    @BeforeAll
    static void start() {
        stubs = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort()
                .extensions(new PostmarkBatchAnswer()));
        stubs.start();
        stubs.stubFor(WireMock.post("/email/batch").willReturn(WireMock.aResponse().withTransformers(PostmarkBatchAnswer.NAME)));
        stubs.stubFor(WireMock.post("/v3/mail/send").willReturn(WireMock.aResponse().withStatus(202)));
        ses = SesClient.builder().endpointOverride(TestStack.aws().sesEndpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(10)).retryStrategy(RetryMode.STANDARD))
                .build();
    }

    @AfterAll
    static void stop() {
        stubs.stop();
        ses.close();
    }

    private static Map<String, EmailProvider> realProviders() {
        Map<String, EmailProvider> providers = new LinkedHashMap<>();
        providers.put("ses", new SesProvider(ses, null));
        providers.put("sendgrid", new SendGridProvider("SG.test-key", URI.create(stubs.baseUrl()), Duration.ofSeconds(5)));
        providers.put("postmark", new PostmarkProvider(URI.create(stubs.baseUrl()), "pm-test-token", null, Duration.ofSeconds(5)));
        return providers;
    }

    private static List<String> addAudience(Pipeline p, int count, String segment) {
        List<String> active = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            EmailAddress email = EmailAddress.parse(String.format("r%04d-%s@example.com", i, p.run));
            p.subscribers.add(email, SubscriberDetails.of(i % 2 == 0 ? "Name" + i : null, null,
                    i % 3 == 0 ? Map.of("plan", "pro") : Map.of(), List.of(segment), null), "test");
            active.add(email.value());
        }
        return active;
    }

    private static Campaign campaign(Pipeline p, String segment, List<String> excluded, List<String> providers, boolean ab) {
        List<Variant> variants = ab ? List.of(new Variant("A", 50, null, null, null),
                new Variant("B", 50, "Variant B for {{default firstName \"you\"}}", null, null)) : List.of();
        return p.campaigns.create(new CampaignDraft("Test " + p.run, "news@example.com", "Example News", null,
                new CampaignContent("Hello {{default firstName \"there\"}}", "Preview", 
                        "<p>Hi {{default firstName \"there\"}}{{#if plan}} ({{plan}}){{/if}} {{nothing}}</p><a href=\"{{unsubscribeUrl}}\">Unsubscribe</a>", null),
                variants, List.of(segment), excluded, providers));
    }

    /** Messages each address received, over every provider: SES's store and the stubs' request journals. */
    private static Map<String, Integer> delivered(String run) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        JsonNode store = JSON.readTree(HTTP.send(HttpRequest.newBuilder(TestStack.aws().sesEndpoint().resolve("/store")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body());
        for (JsonNode email : store.path("emails")) {
            for (JsonNode to : email.path("destination").path("to")) {
                count(counts, to.asText(), run);
            }
        }
        for (LoggedRequest request : stubs.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo("/email/batch")))) {
            for (JsonNode message : JSON.readTree(request.getBodyAsString())) {
                count(counts, message.path("To").asText(), run);
            }
        }
        for (LoggedRequest request : stubs.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo("/v3/mail/send")))) {
            for (JsonNode personalization : JSON.readTree(request.getBodyAsString()).path("personalizations")) {
                for (JsonNode to : personalization.path("to")) {
                    count(counts, to.path("email").asText(), run);
                }
            }
        }
        return counts;
    }

    private static void count(Map<String, Integer> counts, String address, String run) {
        String bare = address.replaceAll(".*<([^>]+)>.*", "$1").strip();
        if (bare.contains(run)) {
            counts.merge(bare, 1, Integer::sum);
        }
    }

    /** Each recipient's one fate, from the ledger; fails if an address sits in two batches or has two results. */
    private static Map<String, RecipientResult> fates(Pipeline p, String campaignId) {
        Campaign campaign = p.campaignStore.find(campaignId).orElseThrow();
        Map<String, RecipientResult> fates = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (LedgerBatch batch : p.ledgerBatches(campaignId, campaign.progress().nextBatch())) {
            batch.recipients().forEach(r -> assertTrue(seen.add(r.email()), r.email() + " is in two batches"));
            fates.putAll(batch.results());
            assertEquals(batch.recipients().size(), batch.results().size(), "batch " + batch.batch() + " has a recipient without a result");
        }
        return fates;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ses", "sendgrid", "postmark"})
    void givenASegment_whenSentThroughOneProvider_thenEveryActiveMemberGetsOneMessageAndNoSuppressedOne(String provider) throws Exception {
        Pipeline p = new Pipeline();
        String segment = "seg-" + p.run;
        String staff = "staff-" + p.run;
        List<String> active = addAudience(p, 20, segment);
        EmailAddress gone = EmailAddress.parse("gone-" + p.run + "@example.com");
        p.subscribers.add(gone, SubscriberDetails.of("Gone", null, null, List.of(segment), null), "test");
        p.subscribers.unsubscribe(gone, "test");
        EmailAddress colleague = EmailAddress.parse("colleague-" + p.run + "@example.com");
        p.subscribers.add(colleague, SubscriberDetails.of(null, null, null, List.of(segment, staff), null), "test");

        Campaign c = campaign(p, segment, List.of(staff), List.of(provider), true);
        p.campaigns.send(c.id(), null);
        p.drive(c.id(), realProviders(), 7, 5, Duration.ofSeconds(60));

        assertEquals(CampaignStatus.SENT, p.campaignStore.find(c.id()).orElseThrow().status());
        Map<String, Integer> delivered = delivered(p.run);
        Map<String, Integer> expected = new TreeMap<>();
        active.forEach(a -> expected.put(a, 1));
        assertEquals(expected, delivered, "one message per active member; none to the unsubscribed or excluded one");
        Map<String, RecipientResult> fates = fates(p, c.id());
        assertEquals(20, fates.values().stream().filter(f -> f.fate() == RecipientResult.Fate.SENT && provider.equals(f.provider())).count());
        Map<String, Long> counters = p.campaignStore.counters(c.id());
        assertEquals(20L, counters.get("sent"));
        assertEquals(1L, counters.get("skippedSuppressed"));
        assertEquals(1L, counters.get("skippedExcluded"));
        // per recipient domain group, in the same counter update (example.com is no listed mailbox operator)
        assertEquals(20L, counters.get("domain.other.sent"), counters.toString());
        assertTrue(counters.keySet().stream().filter(k -> k.startsWith("domain.")).noneMatch(k -> k.contains(p.run)),
                "no address in a counter name");
        Set<String> variantsSeen = new HashSet<>();
        for (String a : active) {
            variantsSeen.add(dev.dispatch.domain.campaign.VariantAssignment.variantFor(c.id(), a, c.variants()));
        }
        assertEquals(Set.of("A", "B"), variantsSeen, "both arms of the A/B test are used");
        assertEquals(20L, counters.getOrDefault("variant.A.sent", 0L) + counters.getOrDefault("variant.B.sent", 0L),
                "sends are counted per variant");
        assertTrue(counters.getOrDefault("variant.A.sent", 0L) > 0 && counters.getOrDefault("variant.B.sent", 0L) > 0);
        if (provider.equals("postmark")) {
            JsonNode message = JSON.readTree(stubs.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo("/email/batch"))).stream()
                    .filter(r -> r.getBodyAsString().contains(p.run)).findFirst().orElseThrow().getBodyAsString()).get(0);
            assertEquals(c.id(), message.path("Metadata").path("campaignId").asText());
            assertTrue(message.path("HtmlBody").asText().contains("https://mail.example.com/u/"));
            assertTrue(message.path("Headers").toString().contains("List-Unsubscribe=One-Click"), message.path("Headers").toString());
            assertTrue(!message.path("HtmlBody").asText().contains("null"));
        }
        if (provider.equals("sendgrid")) {
            JsonNode body = JSON.readTree(stubs.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo("/v3/mail/send"))).stream()
                    .filter(r -> r.getBodyAsString().contains(p.run)).findFirst().orElseThrow().getBodyAsString());
            assertTrue(body.toString().contains(c.id()), "campaign id in custom_args");
            assertTrue(body.toString().contains("List-Unsubscribe"), "one-click headers");
        }
    }

    @Test
    void givenAnAddressUnsubscribedInOneCase_whenTheSegmentHoldsItInAnother_thenNeitherIsMailed() throws Exception {
        Pipeline p = new Pipeline();
        String segment = "seg-" + p.run;
        EmailAddress bob = EmailAddress.parse("Bob-" + p.run + "@Example.com");
        p.subscribers.add(bob, SubscriberDetails.of("Bob", null, null, List.of(segment), null), "test");
        p.subscribers.unsubscribe(bob, "test");
        // the same person again, in lower case, by an import and by a bounce-free signup form
        var importer = new dev.dispatch.domain.subscriber.SubscriberImport(p.subscriberStore,
                new dev.dispatch.adapter.dynamodb.DynamoDbSubscriberCounters(p.dynamoDb, TestStack.subscriberTables().counters()),
                java.time.Clock.systemUTC(), java.util.concurrent.ForkJoinPool.commonPool());
        importer.run(List.of(dev.dispatch.domain.subscriber.ImportRow.of(2, "bob-" + p.run + "@example.com", "Bobby", null, null,
                List.of(segment), null)), "test");
        EmailAddress ann = EmailAddress.parse("Ann-" + p.run + "@Example.com");
        p.subscribers.add(ann, SubscriberDetails.of("Ann", null, null, List.of(segment), null), "test");
        try {
            p.subscribers.add(EmailAddress.parse("ann-" + p.run + "@example.com"), SubscriberDetails.of(null, null, null, List.of(segment), null), "test");
        } catch (dev.dispatch.domain.ConflictException expected) {
            // one person, one address
        }

        Campaign c = campaign(p, segment, List.of(), List.of("ses"), false);
        p.campaigns.send(c.id(), null);
        p.drive(c.id(), realProviders(), 10, 10, Duration.ofSeconds(60));

        Map<String, Integer> byPerson = new TreeMap<>();
        delivered(p.run).forEach((address, n) -> byPerson.merge(address.toLowerCase(java.util.Locale.ROOT), n, Integer::sum));
        assertEquals(Map.of("ann-" + p.run + "@example.com", 1), byPerson, "Ann once; Bob, unsubscribed, in no case");
        assertTrue(delivered(p.run).containsKey("Ann-" + p.run + "@example.com"), "sent to the form given: " + delivered(p.run));
    }

    @Test
    void givenACampaignAnEarlierVersionWasEnqueueing_whenMigrated_thenTheRestIsSentOnceAndTheHandledAreNotSentAgain()
            throws Exception {
        Pipeline p = new Pipeline();
        String segment = "seg-" + p.run;
        String domain = "@" + p.run + ".example.com";
        var r = TestStack.aws().resources();
        // Subscribers as the earlier version keyed them; it walked them in that order: Carl, Zed, amy, bob.
        for (String local : List.of("Carl", "Zed", "amy", "bob")) {
            String key = local + domain;
            p.dynamoDb.putItem(b -> b.tableName(r.tableName("SubscribersTable")).item(Map.of(
                    "email", AttributeValue.fromS(key), "segments", AttributeValue.fromSs(List.of(segment)),
                    "engagementScore", AttributeValue.fromN("0"), "createdAt", AttributeValue.fromS("2026-01-01T00:00:00Z"),
                    "updatedAt", AttributeValue.fromS("2026-01-01T00:00:00Z"))));
            p.dynamoDb.putItem(b -> b.tableName(r.tableName("SegmentMembersTable")).item(Map.of(
                    "segment", AttributeValue.fromS(segment), "email", AttributeValue.fromS(key))));
        }
        // ...and had enqueued up to Zed (Carl and Zed were sent) when the upgrade came.
        Campaign c = campaign(p, segment, List.of(), List.of("ses"), false);
        p.dynamoDb.updateItem(b -> b.tableName(r.tableName("CampaignsTable")).key(Map.of("id", AttributeValue.fromS(c.id())))
                .updateExpression("SET #status = :sending, afterEmail = :after, nextBatch = :one")
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(Map.of(":sending", AttributeValue.fromS("sending"),
                        ":after", AttributeValue.fromS("Zed" + domain), ":one", AttributeValue.fromN("1"))));
        p.ledger.create(c.id(), new dev.dispatch.domain.campaign.NewBatch(0, List.of(), "Zed" + domain, 0, 0));
        assertTrue(new dev.dispatch.adapter.dynamodb.DynamoDbAddressMigration(p.dynamoDb, TestStack.subscriberTables(),
                r.tableName("EngagementTable"), r.tableName("CampaignsTable"), "test-" + p.run, java.time.Clock.systemUTC())
                .runUntil(java.time.Instant.now().plusSeconds(60)));

        new dev.dispatch.adapter.sqs.SqsEnqueueRequests(p.sqs, p.enqueueQueue).request(c.id(), Duration.ZERO);
        p.drive(c.id(), realProviders(), 10, 10, Duration.ofSeconds(60));

        assertEquals(Map.of("amy" + domain, 1, "bob" + domain, 1), delivered(p.run),
                "the two the earlier version had not reached, once each; Carl and Zed not again");
    }

    @Test
    void givenAnAddressErasedInARaceWithAWriteOfItsProfile_whenSent_thenSendBatchFindsTheErasureAndNeverSendsIt() throws Exception {
        Pipeline p = new Pipeline();
        String segment = "erased-" + p.run;
        List<String> active = addAudience(p, 5, segment);
        // The erasure record is written and the profile is there anyway (an import that checked just before the
        // erasure wrote it just after): enqueue reads no erasure records, so only send-batch's check stands between.
        EmailAddress raced = EmailAddress.parse("raced-" + p.run + "@example.com");
        p.subscribers.add(raced, SubscriberDetails.of("Raced", null, null, List.of(segment), null), "test");
        new dev.dispatch.adapter.dynamodb.DynamoDbPersonalData(p.dynamoDb, TestStack.subscriberTables(),
                TestStack.aws().resources().tableName("CampaignsTable"), TestStack.aws().resources().tableName("SendLedgerTable"),
                TestStack.aws().resources().tableName("EngagementTable")).recordErasure(p.erased.keyOf(raced), java.time.Instant.now());

        Campaign c = campaign(p, segment, List.of(), List.of("ses"), false);
        p.campaigns.send(c.id(), null);
        p.drive(c.id(), realProviders(), 3, 5, Duration.ofSeconds(60));

        Map<String, Integer> delivered = delivered(p.run);
        Map<String, Integer> expected = new TreeMap<>();
        active.forEach(a -> expected.put(a, 1));
        assertEquals(expected, delivered, "one message per member; none to the erased address");
        RecipientResult fate = fates(p, c.id()).get(raced.key());
        assertEquals(RecipientResult.Fate.SUPPRESSED, fate.fate(), String.valueOf(fate));
        assertEquals("address is erased", fate.detail());
        assertEquals(CampaignStatus.SENT, p.campaignStore.find(c.id()).orElseThrow().status());
    }

    @Test
    void givenInjectedFaultsDuplicatesAndCrashes_whenSent_thenNobodyGetsTwoAndNobodyIsMissed() throws Exception {
        Pipeline p = new Pipeline();
        String segment = "faults-" + p.run;
        List<String> active = addAudience(p, 300, segment);
        Map<String, EmailProvider> real = realProviders();
        Map<String, EmailProvider> faulty = new LinkedHashMap<>();
        FaultyProvider sesFaults = new FaultyProvider(real.get("ses"), 0.10, 0.05, 3); // down for its first 3 calls
        faulty.put("ses", new CrashAfterSendProvider(sesFaults, 2));
        FaultyProvider postmarkFaults = new FaultyProvider(real.get("postmark"), 0.10, 0.05, 0);
        faulty.put("postmark", postmarkFaults);
        faulty.put("sendgrid", real.get("sendgrid"));
        p.duplicateDeliveries = true;
        p.enqueueCrashesBeforeAdvance.set(2);
        p.sendCrashesBeforeProviderCall.set(3);

        Campaign c = campaign(p, segment, List.of(), List.of("ses", "postmark", "sendgrid"), false);
        p.campaigns.send(c.id(), null);
        p.drive(c.id(), faulty, 10, 60, Duration.ofSeconds(120));

        Map<String, Integer> delivered = delivered(p.run);
        List<String> twice = delivered.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        List<String> missing = active.stream().filter(a -> !delivered.containsKey(a)).toList();
        assertEquals(List.of(), twice, "sent twice");
        assertEquals(List.of(), missing, "never sent");
        Map<String, RecipientResult> fates = fates(p, c.id());
        assertEquals(300, fates.size());
        assertTrue(fates.values().stream().allMatch(f -> f.fate() == RecipientResult.Fate.SENT || f.fate() == RecipientResult.Fate.UNKNOWN), fates.toString());
        assertTrue(fates.values().stream().anyMatch(f -> f.fate() == RecipientResult.Fate.UNKNOWN),
                "a crash after an accepted provider call leaves its recipients unknown (sent once, never again)");
        assertTrue(sesFaults.faults.get() + postmarkFaults.faults.get() > 3,
                "random faults were injected besides the outage: " + sesFaults.faults.get() + " + " + postmarkFaults.faults.get());
        assertEquals(CampaignStatus.SENT, p.campaignStore.find(c.id()).orElseThrow().status());
        // Enqueue counts a page with the cursor's move past it: its two crashes before that move, whose batches the
        // re-runs found stored, count neither twice nor not at all; each batch's fates count once however delivered.
        Map<String, Long> counters = p.campaignStore.counters(c.id());
        assertEquals(300L, counters.get("recipients"), counters.toString());
        assertEquals(300L, counters.getOrDefault("sent", 0L) + counters.getOrDefault("unknown", 0L), counters.toString());
    }

    @Test
    void givenAProviderThatAcceptsButTimesOut_thenItsRecipientsAreNotFailedOverAndNobodyGetsTwo() throws Exception {
        Pipeline p = new Pipeline();
        String segment = "timeout-" + p.run;
        addAudience(p, 30, segment);
        Map<String, EmailProvider> real = realProviders();
        java.util.concurrent.atomic.AtomicInteger timeouts = new java.util.concurrent.atomic.AtomicInteger(1);
        EmailProvider acceptsThenTimesOut = new EmailProvider() {
            public String name() { return "postmark"; }
            public int maxBatchSize() { return 500; }
            public List<dev.dispatch.domain.message.SendResult> send(List<dev.dispatch.domain.message.OutgoingMessage> batch,
                    Duration timeout) {
                List<dev.dispatch.domain.message.SendResult> results = real.get("postmark").send(batch, timeout);
                if (timeouts.getAndDecrement() > 0) { // the answer is lost on the way back
                    throw new dev.dispatch.domain.message.ProviderUnavailableException("postmark", "read timed out", List.of(), null,
                            batch.stream().map(dev.dispatch.domain.message.OutgoingMessage::to).toList());
                }
                return results;
            }
        };
        Map<String, EmailProvider> providers = new LinkedHashMap<>(Map.of("postmark", acceptsThenTimesOut, "sendgrid", real.get("sendgrid")));
        Campaign c = campaign(p, segment, List.of(), List.of("postmark", "sendgrid"), false);
        p.campaigns.send(c.id(), null);
        p.drive(c.id(), providers, 10, 50, Duration.ofSeconds(30));

        Map<String, Integer> delivered = delivered(p.run);
        assertEquals(30, delivered.size(), "everybody received the campaign");
        assertTrue(delivered.values().stream().allMatch(n -> n == 1), "nobody twice: " + delivered);
        assertEquals(10, fates(p, c.id()).values().stream().filter(f -> f.fate() == RecipientResult.Fate.UNKNOWN).count());

        // The metrics the sender published add up to the ledger's fates, per provider: sent, and failed (no answer).
        Map<String, Long> sentInLedger = new TreeMap<>();
        Map<String, Long> failedInLedger = new TreeMap<>();
        fates(p, c.id()).values().stream().filter(f -> f.provider() != null).forEach(f ->
                (f.fate() == RecipientResult.Fate.SENT ? sentInLedger : failedInLedger).merge(f.provider(), 1L, Long::sum));
        assertEquals(sentInLedger, measuredTotals(p, dev.dispatch.domain.metrics.MetricNames.SENT));
        assertEquals(failedInLedger, measuredTotals(p, dev.dispatch.domain.metrics.MetricNames.FAILED));
        assertTrue(p.measured.stream().allMatch(m -> m.milliseconds().containsKey(dev.dispatch.domain.metrics.MetricNames.BATCH_LATENCY)
                && m.properties().get("campaignId").equals(c.id())), "each delivery says which batch it was and how long it took");
    }

    /** One metric of the sender's published measurements, summed per provider. */
    private static Map<String, Long> measuredTotals(Pipeline p, String metric) {
        Map<String, Long> totals = new TreeMap<>();
        synchronized (p.measured) {
            p.measured.forEach(m -> m.countsByProvider().forEach((provider, counts) -> {
                if (counts.containsKey(metric)) {
                    totals.merge(provider, counts.get(metric), Long::sum);
                }
            }));
        }
        return totals;
    }

    @Test
    void givenAPauseMidway_whenResumed_thenTheCursorNeitherSkipsNorRepeats() throws Exception {
        Pipeline p = new Pipeline();
        String segment = "pause-" + p.run;
        List<String> active = addAudience(p, 120, segment);
        Campaign c = campaign(p, segment, List.of(), List.of("postmark"), false);
        Map<String, EmailProvider> providers = realProviders();
        p.enqueueBudget = Duration.ZERO; // one page per enqueue invocation, so the pause lands between pages
        p.campaigns.send(c.id(), null);
        p.pumpRounds(c.id(), providers, 10, 30, 1); // the first page is enqueued, its batches go out
        p.campaigns.pause(c.id());
        p.pumpRounds(c.id(), providers, 10, 30, 6); // queued batches are parked, no page is added
        int sentWhilePaused = delivered(p.run).size();
        Campaign paused = p.campaignStore.find(c.id()).orElseThrow();
        assertEquals(CampaignStatus.PAUSED, paused.status());
        assertTrue(sentWhilePaused < 120, "the pause stopped the campaign part way: " + sentWhilePaused);
        assertTrue(!paused.progress().complete());

        p.campaigns.resume(c.id());
        p.drive(c.id(), providers, 10, 30, Duration.ofSeconds(60));

        Map<String, Integer> expected = new TreeMap<>();
        active.forEach(a -> expected.put(a, 1));
        assertEquals(expected, delivered(p.run));
        assertEquals(120, fates(p, c.id()).size());
        assertEquals(CampaignStatus.SENT, p.campaignStore.find(c.id()).orElseThrow().status());
    }

    @Test
    void givenASendTimeInTheFuture_thenNothingGoesOutBeforeItAndEverythingAfter() throws Exception {
        Pipeline p = new Pipeline();
        String segment = "later-" + p.run;
        List<String> active = addAudience(p, 15, segment);
        Campaign c = campaign(p, segment, List.of(), List.of("postmark"), false);
        java.time.Instant at = java.time.Instant.now().plusSeconds(3);
        assertEquals(CampaignStatus.SCHEDULED, p.campaigns.send(c.id(), at).status());
        p.pumpRounds(c.id(), realProviders(), 10, 50, 5); // the wake-up comes early and is re-armed
        assertEquals(Map.of(), delivered(p.run), "nothing before the send time");
        assertEquals(CampaignStatus.SCHEDULED, p.campaignStore.find(c.id()).orElseThrow().status());

        long sentBefore = postmarkSentToday(p);
        p.drive(c.id(), realProviders(), 10, 50, Duration.ofSeconds(30));
        assertTrue(java.time.Instant.now().isAfter(at));
        Map<String, Integer> expected = new TreeMap<>();
        active.forEach(a -> expected.put(a, 1));
        assertEquals(expected, delivered(p.run));
        assertEquals(active.size(), postmarkSentToday(p) - sentBefore, "the provider's daily stats count each send");
    }

    private static long postmarkSentToday(Pipeline p) {
        java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
        return p.deliveryStats.days(today, today).stream().filter(d -> d.provider().equals("postmark"))
                .mapToLong(d -> d.count("sent")).sum();
    }

    @Test
    void givenACancelMidway_thenNobodyIsSentAfterwardsAndEveryQueuedRecipientHasAReason() throws Exception {
        Pipeline p = new Pipeline();
        String segment = "cancel-" + p.run;
        addAudience(p, 80, segment);
        Campaign c = campaign(p, segment, List.of(), List.of("postmark"), false);
        Map<String, EmailProvider> providers = realProviders();
        p.campaigns.send(c.id(), null);
        p.pumpRounds(c.id(), providers, 10, 40, 1);
        p.campaigns.cancel(c.id());
        int sentAtCancel = delivered(p.run).size();
        p.drive(c.id(), providers, 10, 40, Duration.ofSeconds(30));

        assertEquals(sentAtCancel, delivered(p.run).size(), "nothing is sent after the cancel");
        Map<String, RecipientResult> fates = fates(p, c.id());
        long cancelled = fates.values().stream().filter(f -> f.fate() == RecipientResult.Fate.CANCELLED).count();
        long sent = fates.values().stream().filter(f -> f.fate() == RecipientResult.Fate.SENT).count();
        assertEquals(sentAtCancel, sent);
        assertEquals(fates.size(), sent + cancelled);
        assertEquals(CampaignStatus.CANCELLED, p.campaignStore.find(c.id()).orElseThrow().status());
    }

    // ------------------------------------------------------------------ the invocation's time budget

    /** A clock the test moves; the provider wrapper below moves it by each call's (pretended) duration. */
    private static final class StepClock extends java.time.Clock {
        private volatile java.time.Instant now;

        StepClock(java.time.Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }
    }

    /** The real provider, each call taking {@code perCall} on the test's clock; remembers each call's timeout. */
    private record SlowCalls(EmailProvider real, StepClock clock, Duration perCall, List<Duration> timeouts) implements EmailProvider {
        public String name() { return real.name(); }
        public int maxBatchSize() { return real.maxBatchSize(); }
        public List<dev.dispatch.domain.message.SendResult> send(List<dev.dispatch.domain.message.OutgoingMessage> batch,
                Duration timeout) {
            timeouts.add(timeout);
            List<dev.dispatch.domain.message.SendResult> results = real.send(batch, timeout);
            clock.advance(perCall);
            return results;
        }
    }

    /** One ledger batch holding the whole audience, the campaign sending: what enqueue-campaign would have made. */
    private static Campaign oneBatch(Pipeline p, List<String> audience, String segment) {
        Campaign c = campaign(p, segment, List.of(), List.of("ses"), false);
        p.campaigns.send(c.id(), null);
        List<dev.dispatch.domain.campaign.LedgerRecipient> recipients = audience.stream()
                .map(e -> new dev.dispatch.domain.campaign.LedgerRecipient(e, null)).toList();
        assertTrue(p.ledger.create(c.id(), new dev.dispatch.domain.campaign.NewBatch(0, recipients,
                audience.get(audience.size() - 1), 0, 0)));
        return c;
    }

    private static dev.dispatch.domain.campaign.BatchSender sender(Pipeline p, EmailProvider provider, StepClock clock) {
        return new dev.dispatch.domain.campaign.BatchSender(p.campaignStore, p.subscriberStore, p.ledger, p.renderer,
                Map.of(provider.name(), provider), clock, d -> clock.advance(d), Duration.ofMinutes(3),
                new dev.dispatch.domain.campaign.BatchSender.TimeBudget(Duration.ofSeconds(2), Duration.ofSeconds(3)),
                p.deliveryStats, p.migration);
    }

    @Test
    void givenAnInvocationDeadlineMidBatch_thenNoCallOutlivesIt_theRestStaysUnsentAndTheNextInvocationFinishesIt() throws Exception {
        Pipeline p = new Pipeline();
        String segment = "budget-" + p.run;
        List<String> audience = addAudience(p, 120, segment); // 3 SES calls: 50, 50, 20
        Campaign c = oneBatch(p, audience, segment);
        StepClock clock = new StepClock(java.time.Instant.now());
        List<Duration> timeouts = new ArrayList<>();
        EmailProvider slow = new SlowCalls(new SesProvider(ses, null), clock, Duration.ofSeconds(4), timeouts);
        var sender = sender(p, slow, clock);

        // First invocation: 10 s left, 2 s kept for recording, a call needs 3 s: calls at +0 s and +4 s, none at +8 s.
        java.time.Instant start = clock.instant();
        assertEquals(dev.dispatch.domain.campaign.BatchSender.Result.RETRY_LATER,
                sender.send(c.id(), 0, "first", start.plusSeconds(10)));
        assertEquals(List.of(Duration.ofSeconds(8), Duration.ofSeconds(4)), timeouts, "each call's timeout ends it before the reserve");
        LedgerBatch cut = p.ledger.find(c.id(), 0).orElseThrow();
        assertEquals(100, cut.results().size());
        assertTrue(cut.results().values().stream().allMatch(r -> r.fate() == RecipientResult.Fate.SENT), cut.results().toString());
        assertEquals(List.of(), cut.inflight(), "no call was left in flight");
        assertEquals(20, cut.unresolved().size());
        assertEquals(100, delivered(p.run).size(), "the 20 not reached were not sent");

        // The next delivery (a new invocation, a new owner) takes the released batch at once and finishes it.
        timeouts.clear();
        assertEquals(dev.dispatch.domain.campaign.BatchSender.Result.DONE,
                sender.send(c.id(), 0, "second", clock.instant().plusSeconds(10)));
        assertEquals(List.of(Duration.ofSeconds(8)), timeouts);
        Map<String, Integer> delivered = delivered(p.run);
        assertEquals(new java.util.TreeSet<>(audience), delivered.keySet());
        assertTrue(delivered.values().stream().allMatch(n -> n == 1), "nobody twice: " + delivered);
        assertEquals(120, p.ledger.find(c.id(), 0).orElseThrow().results().values().stream()
                .filter(r -> r.fate() == RecipientResult.Fate.SENT).count());
    }

    @Test
    void givenTooLittleTimeLeft_thenTheBatchIsNotEvenClaimedAndNothingIsSent() throws Exception {
        Pipeline p = new Pipeline();
        String segment = "late-" + p.run;
        List<String> audience = addAudience(p, 5, segment);
        Campaign c = oneBatch(p, audience, segment);
        StepClock clock = new StepClock(java.time.Instant.now());
        List<Duration> timeouts = new ArrayList<>();
        var sender = sender(p, new SlowCalls(new SesProvider(ses, null), clock, Duration.ofSeconds(1), timeouts), clock);

        // 4.9 s left: 2 s reserve + 3 s for a call don't fit.
        assertEquals(dev.dispatch.domain.campaign.BatchSender.Result.NO_TIME,
                sender.send(c.id(), 0, "late", clock.instant().plusMillis(4900)));
        LedgerBatch untouched = p.ledger.find(c.id(), 0).orElseThrow();
        assertEquals(LedgerBatch.State.PENDING, untouched.state());
        assertEquals(null, untouched.owner());
        assertEquals(List.of(), timeouts);
        assertEquals(Map.of(), delivered(p.run));
    }

    @Test
    void givenALeaseShorterThanTheInvocation_thenWorkStopsBeforeTheLeaseRunsOut() throws Exception {
        Pipeline p = new Pipeline();
        String segment = "lease-" + p.run;
        List<String> audience = addAudience(p, 100, segment); // 2 SES calls
        Campaign c = oneBatch(p, audience, segment);
        StepClock clock = new StepClock(java.time.Instant.now());
        List<Duration> timeouts = new ArrayList<>();
        EmailProvider slow = new SlowCalls(new SesProvider(ses, null), clock, Duration.ofSeconds(4), timeouts);
        var sender = new dev.dispatch.domain.campaign.BatchSender(p.campaignStore, p.subscriberStore, p.ledger, p.renderer,
                Map.of("ses", slow), clock, d -> clock.advance(d), Duration.ofSeconds(8),
                new dev.dispatch.domain.campaign.BatchSender.TimeBudget(Duration.ofSeconds(2), Duration.ofSeconds(3)),
                p.deliveryStats, p.migration);

        // The invocation has 15 min, the lease 8 s: one call (6 s timeout), then stop, so nobody can take the
        // batch over while a call of ours is still running.
        assertEquals(dev.dispatch.domain.campaign.BatchSender.Result.RETRY_LATER,
                sender.send(c.id(), 0, "owner", clock.instant().plus(Duration.ofMinutes(15))));
        assertEquals(List.of(Duration.ofSeconds(6)), timeouts);
        assertEquals(50, p.ledger.find(c.id(), 0).orElseThrow().results().size());
    }
}
