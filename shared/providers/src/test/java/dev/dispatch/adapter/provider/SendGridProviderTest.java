package dev.dispatch.adapter.provider;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.dispatch.adapter.render.MessageBodies;
import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.message.ProviderThrottledException;
import dev.dispatch.domain.message.ProviderUnavailableException;
import dev.dispatch.domain.message.SendResult;
import dev.dispatch.domain.message.TestMessages;
import dev.dispatch.domain.subscriber.Subscriber;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SendGridProvider against a WireMock stub of POST /v3/mail/send written from SendGrid's v3 API documentation. */
class SendGridProviderTest {
    private static final String API_KEY = "SG.test-key.secret";
    private static final String PATH = "/v3/mail/send";
    private static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static WireMockServer stub;
    private SendGridProvider provider;

    @BeforeAll
    static void start() {
        stub = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        stub.start();
    }

    @AfterAll
    static void stop() {
        stub.stop();
    }

    @BeforeEach
    void setUp() {
        stub.resetAll();
        provider = new SendGridProvider(API_KEY, URI.create(stub.baseUrl()), Duration.ofSeconds(2),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void tearDown() throws Exception {
        provider.close();
    }

    private static void accept(String messageId) {
        stub.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(202).withHeader("X-Message-Id", messageId)));
    }

    private static List<JsonNode> requests() throws Exception {
        List<JsonNode> bodies = new ArrayList<>();
        for (LoggedRequest request : stub.findAll(postRequestedFor(urlEqualTo(PATH)))) {
            bodies.add(JSON.readTree(request.getBodyAsString()));
        }
        return bodies;
    }

    private static List<Subscriber> people() {
        return List.of(
                Campaigns.subscriber("ada@example.com", "Ada", Map.of("plan", "pro")),
                Campaigns.subscriber("bob@example.com", "Bob & <Co>", Map.of("plan", "free")),
                Campaigns.subscriber("cy@example.com", "Cy", Map.of("plan", "team")),
                Campaigns.subscriber("dee@example.com", null, Map.of("plan", "pro")),          // default fallback diverges
                Campaigns.subscriber("eve@example.com", "Eve", Map.of("plan", "pro", "vip", true))); // conditional diverges
    }

    private static String substitute(String content, JsonNode substitutions) {
        String result = content;
        for (Iterator<Map.Entry<String, JsonNode>> it = substitutions.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            result = result.replace(entry.getKey(), entry.getValue().asText());
        }
        return result;
    }

    @Test
    void givenPersonalizedCampaign_whenSent_thenVerifiedRecipientsShareOneRequestAndDivergingOnesGoAlone() throws Exception {
        accept("sg-msg-1");
        List<OutgoingMessage> batch = Campaigns.render(people(), Campaigns.SUBJECT, Campaigns.PREHEADER, Campaigns.HTML, null);

        List<SendResult> results = provider.send(batch);

        assertEquals(5, results.size());
        assertTrue(results.stream().allMatch(r -> r.outcome() == SendResult.Outcome.ACCEPTED && "sg-msg-1".equals(r.providerMessageId())));
        List<JsonNode> requests = requests();
        assertEquals(3, requests.size(), "one shared request for Ada, Bob and Cy; Dee and Eve alone");
        JsonNode shared = requests.get(0);
        JsonNode personalizations = shared.path("personalizations");
        assertEquals(3, personalizations.size());
        String taggedHtml = shared.path("content").get(1).path("value").asText();
        String taggedText = shared.path("content").get(0).path("value").asText();
        assertEquals("text/plain", shared.path("content").get(0).path("type").asText());
        assertEquals("text/html", shared.path("content").get(1).path("type").asText());
        assertFalse(taggedHtml.contains("Ada"), "the shared content carries tags, not a recipient's values");
        for (int i = 0; i < 3; i++) {
            OutgoingMessage message = batch.get(i);
            JsonNode p = personalizations.get(i);
            assertEquals(message.to().value(), p.path("to").get(0).path("email").asText());
            assertEquals(message.toName(), p.path("to").get(0).path("name").asText());
            assertEquals(message.subject(), p.path("subject").asText());
            assertEquals(MessageBodies.html(message), substitute(taggedHtml, p.path("substitutions")));
            assertEquals(MessageBodies.text(message), substitute(taggedText, p.path("substitutions")));
            assertEquals("camp-7", p.path("custom_args").path("campaignId").asText());
            assertEquals(message.to().value(), p.path("custom_args").path("recipient").asText());
            assertEquals("B", p.path("custom_args").path("variant").asText());
            assertEquals("batch-3", p.path("custom_args").path("batchId").asText());
            assertEquals("<" + message.unsubscribeUrl() + ">", p.path("headers").path("List-Unsubscribe").asText());
            assertEquals("List-Unsubscribe=One-Click", p.path("headers").path("List-Unsubscribe-Post").asText());
            assertEquals("camp-7", p.path("headers").path("X-Dispatch-Campaign").asText());
        }
        assertEquals("Bob & <Co>, news for free members", personalizations.get(1).path("subject").asText());
        assertTrue(MessageBodies.html(batch.get(1)).contains("Hello Bob &amp; &lt;Co&gt;,"));
        assertEquals("news@example.org", shared.path("from").path("email").asText());
        assertEquals("Dispatch News", shared.path("from").path("name").asText());
        assertEquals("help@example.org", shared.path("reply_to").path("email").asText());
        for (int i = 1; i < 3; i++) {
            JsonNode alone = requests.get(i);
            OutgoingMessage message = batch.get(i + 2);
            assertEquals(1, alone.path("personalizations").size());
            assertTrue(alone.path("personalizations").get(0).path("substitutions").isMissingNode());
            assertEquals(MessageBodies.html(message), alone.path("content").get(1).path("value").asText());
        }
        assertTrue(requests.get(1).path("content").get(1).path("value").asText().contains("Hello there,"));
        assertTrue(requests.get(2).path("content").get(1).path("value").asText().contains("VIP corner"));
        LoggedRequest first = stub.findAll(postRequestedFor(urlEqualTo(PATH))).get(0);
        assertEquals("Bearer " + API_KEY, first.getHeader("Authorization"));
        assertTrue(first.getHeader("Content-Type").startsWith("application/json"), first.getHeader("Content-Type"));
    }

    @Test
    void givenRecipientWhoseRenderingDiffersFromTheTaggedForm_whenSent_thenSentAloneWithItsOwnContent() throws Exception {
        accept("sg-raw");
        List<Subscriber> people = List.of(
                Campaigns.subscriber("ada@example.com", "Ada", Map.of()),
                Campaigns.subscriber("bob@example.com", "<b>Bob</b>", Map.of()),
                Campaigns.subscriber("cy@example.com", "Cy", Map.of()));
        // Triple braces print the value unescaped, so Bob's markup can't come from an escaped substitution.
        List<OutgoingMessage> batch = Campaigns.render(people, "Hi", null, "<p>Hi {{{firstName}}}</p>", "Hi {{firstName}}");

        provider.send(batch);

        List<JsonNode> requests = requests();
        assertEquals(2, requests.size());
        assertEquals(2, requests.get(0).path("personalizations").size());
        assertEquals("bob@example.com", requests.get(1).path("personalizations").get(0).path("to").get(0).path("email").asText());
        assertEquals("<p>Hi <b>Bob</b></p>", requests.get(1).path("content").get(1).path("value").asText());
    }

    @Test
    void givenManyRecipientsOfOneVariant_whenSent_thenOneRequestCarriesThemAll() throws Exception {
        accept("sg-many");
        List<Subscriber> subscribers = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            subscribers.add(Campaigns.subscriber("user" + i + "@example.com", "User" + i, Map.of("plan", i % 2 == 0 ? "pro" : "free")));
        }
        List<OutgoingMessage> batch = Campaigns.render(subscribers, Campaigns.SUBJECT, Campaigns.PREHEADER, Campaigns.HTML,
                "Hi {{firstName}}, plan {{plan}}. Unsubscribe: {{unsubscribeUrl}}");

        List<SendResult> results = provider.send(batch);

        assertEquals(300, results.stream().filter(SendResult::accepted).count());
        List<JsonNode> requests = requests();
        assertEquals(1, requests.size());
        assertEquals(300, requests.get(0).path("personalizations").size());
        JsonNode p = requests.get(0).path("personalizations").get(299);
        assertEquals("Hi User299, plan free. Unsubscribe: https://example.org/u/user299-at-example.com",
                substitute(requests.get(0).path("content").get(0).path("value").asText(), p.path("substitutions")));
    }

    @Test
    void givenIdenticalContentWithoutMergeForms_whenSent_thenOneRequest() throws Exception {
        accept("sg-same");
        List<OutgoingMessage> batch = List.of(
                TestMessages.ada().html("<p>Same</p>").text("Same").build(),
                TestMessages.to("bob@example.com", "Bob").html("<p>Same</p>").text("Same").build(),
                TestMessages.to("cy@example.com", "Cy").html("<p>Other</p>").text("Other").build());

        provider.send(batch);

        List<JsonNode> requests = requests();
        assertEquals(2, requests.size());
        assertEquals(2, requests.get(0).path("personalizations").size());
        assertEquals(1, requests.get(1).path("personalizations").size());
    }

    @Test
    void givenRateLimited_whenSent_thenThrottledUntilResetAndNoBuiltInRetry() {
        stub.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(429)
                .withHeader("X-RateLimit-Limit", "600").withHeader("X-RateLimit-Remaining", "0")
                .withHeader("X-RateLimit-Reset", String.valueOf(NOW.getEpochSecond() + 42))
                .withBody("{\"errors\":[{\"field\":null,\"message\":\"too many requests\"}]}")));

        long start = System.nanoTime();
        ProviderThrottledException e = assertThrows(ProviderThrottledException.class,
                () -> provider.send(List.of(TestMessages.ada().build())));

        assertEquals(Duration.ofSeconds(42), e.retryAfter().orElseThrow());
        assertTrue(e.completed().isEmpty());
        assertEquals(1, stub.findAll(postRequestedFor(urlEqualTo(PATH))).size(), "sendgrid-java must not retry");
        assertTrue(System.nanoTime() - start < 1_000_000_000L, "no built-in sleep");
    }

    @Test
    void givenBadRequestNamingOnePersonalization_whenSent_thenThatRecipientRejectedAndOthersSentAgain() throws Exception {
        stub.stubFor(post(urlEqualTo(PATH)).inScenario("400").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(400).withBody("{\"errors\":[{\"message\":\"Does not contain a valid "
                        + "address.\",\"field\":\"personalizations.1.to.0.email\",\"help\":\"http://sendgrid.com/docs\"}]}"))
                .willSetStateTo("fixed"));
        stub.stubFor(post(urlEqualTo(PATH)).inScenario("400").whenScenarioStateIs("fixed")
                .willReturn(aResponse().withStatus(202).withHeader("X-Message-Id", "sg-retry")));
        List<OutgoingMessage> batch = List.of(
                TestMessages.ada().html("<p>Same</p>").text("Same").build(),
                TestMessages.to("bob@example.com", "Bob").html("<p>Same</p>").text("Same").build(),
                TestMessages.to("cy@example.com", "Cy").html("<p>Same</p>").text("Same").build());

        List<SendResult> results = provider.send(batch);

        assertEquals(List.of(SendResult.Outcome.ACCEPTED, SendResult.Outcome.REJECTED, SendResult.Outcome.ACCEPTED),
                results.stream().map(SendResult::outcome).toList());
        assertTrue(results.get(1).detail().contains("Does not contain a valid address."), results.get(1).detail());
        List<JsonNode> requests = requests();
        assertEquals(2, requests.size());
        assertEquals(2, requests.get(1).path("personalizations").size());
        assertNotEquals("bob@example.com", requests.get(1).path("personalizations").get(1).path("to").get(0).path("email").asText());
    }

    @Test
    void givenBadRequestAboutSharedPart_whenSent_thenAllRecipientsOfThatRequestRejected() {
        stub.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(400).withBody(
                "{\"errors\":[{\"message\":\"The from address does not match a verified Sender Identity.\",\"field\":\"from\"}]}")));
        List<OutgoingMessage> batch = List.of(TestMessages.ada().html("<p>S</p>").text("S").build(),
                TestMessages.to("bob@example.com", "Bob").html("<p>S</p>").text("S").build());

        List<SendResult> results = provider.send(batch);

        assertTrue(results.stream().allMatch(r -> r.outcome() == SendResult.Outcome.REJECTED));
        assertTrue(results.get(0).detail().contains("verified Sender Identity"));
        assertFalse(results.get(0).detail().contains(API_KEY));
    }

    @Test
    void givenServerErrorOrBadKey_whenSent_thenUnavailable() {
        for (int status : new int[] {500, 503, 401, 403}) {
            stub.resetAll();
            stub.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(status)
                    .withBody("{\"errors\":[{\"message\":\"failure " + status + "\"}]}")));
            ProviderUnavailableException e = assertThrows(ProviderUnavailableException.class,
                    () -> provider.send(List.of(TestMessages.ada().build())), "status " + status);
            assertTrue(e.getMessage().contains(String.valueOf(status)), e.getMessage());
            assertFalse(e.getMessage().contains(API_KEY));
        }
    }

    @Test
    void givenSecondRequestFails_whenSent_thenUnavailableCarryingTheFirstRequestsResults() {
        stub.stubFor(post(urlEqualTo(PATH)).withRequestBody(containing("VIP corner"))
                .willReturn(aResponse().withStatus(502)));
        stub.stubFor(post(urlEqualTo(PATH)).withRequestBody(containing("Your plan"))
                .willReturn(aResponse().withStatus(202).withHeader("X-Message-Id", "sg-first")));
        List<Subscriber> people = people();
        List<OutgoingMessage> batch = Campaigns.render(List.of(people.get(0), people.get(4), people.get(2)),
                Campaigns.SUBJECT, Campaigns.PREHEADER, Campaigns.HTML, null);

        ProviderUnavailableException e = assertThrows(ProviderUnavailableException.class, () -> provider.send(batch));

        assertEquals(List.of("ada@example.com", "cy@example.com"),
                e.completed().stream().map(r -> r.recipient().value()).toList());
        assertTrue(e.completed().stream().allMatch(SendResult::accepted));
    }

    @Test
    void givenProviderSlowerThanTimeout_whenSent_thenUnavailable() {
        stub.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withFixedDelay(1500).withStatus(202)));
        SendGridProvider impatient = new SendGridProvider(API_KEY, URI.create(stub.baseUrl()), Duration.ofMillis(300));

        assertThrows(ProviderUnavailableException.class, () -> impatient.send(List.of(TestMessages.ada().build())));
    }

    @Test
    void givenACallTimeoutShorterThanTheProvidersOwn_whenTheServerIsSlow_thenTheRequestEndsWithinIt() {
        stub.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withFixedDelay(3000).withStatus(202)));
        SendGridProvider patient = new SendGridProvider(API_KEY, URI.create(stub.baseUrl()), Duration.ofSeconds(20));

        long start = System.nanoTime();
        ProviderUnavailableException e = assertThrows(ProviderUnavailableException.class,
                () -> patient.send(List.of(TestMessages.ada().build()), Duration.ofMillis(1500)));
        assertTrue(System.nanoTime() - start < 2_800_000_000L, "gave up at the call's timeout, not the provider's 20 s");
        assertEquals(List.of(TestMessages.ada().build().to()), e.mayHaveBeenAccepted());
    }

    @Test
    void givenTooLittleOfTheCallLeft_thenNoRequestIsMadeAndEachMessageComesBackNotSent() {
        List<SendResult> results = provider.send(List.of(TestMessages.ada().build()), Duration.ofMillis(500));

        assertEquals(List.of(SendResult.Outcome.FAILED_RETRYABLE), results.stream().map(SendResult::outcome).toList());
        assertEquals(0, stub.findAll(postRequestedFor(urlEqualTo(PATH))).size());
    }

    @Test
    void givenSubstitutionValueHoldingATag_whenPlanned_thenNotVerified() {
        Map<String, String> substitutions = Map.of("%%dvx_t0%%", "%%dvx_t1%%", "%%dvx_t1%%", "Ada");
        assertFalse(SendGridProvider.verifies("<p>%%dvx_t0%% %%dvx_t1%%</p>", "x", substitutions,
                "<p>%%dvx_t1%% Ada</p>", "x", new java.util.HashMap<>()));
        assertTrue(SendGridProvider.verifies("<p>%%dvx_t0%%</p>", "x", Map.of("%%dvx_t0%%", "Ada"),
                "<p>Ada</p>", "x", new java.util.HashMap<>()));
    }

    @Test
    void givenMoreThanThousandMessages_whenSent_thenRefused() {
        List<OutgoingMessage> tooMany = java.util.Collections.nCopies(1001, TestMessages.ada().build());
        assertThrows(IllegalArgumentException.class, () -> provider.send(tooMany));
        assertEquals(1000, provider.maxBatchSize());
        assertEquals("sendgrid", provider.name());
    }
}
