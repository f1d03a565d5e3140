package dev.dispatch.adapter.provider;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.dispatch.adapter.render.MessageBodies;
import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.message.ProviderThrottledException;
import dev.dispatch.domain.message.ProviderUnavailableException;
import dev.dispatch.domain.message.SendResult;
import dev.dispatch.domain.message.TestMessages;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.Subscriber;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PostmarkProvider against a WireMock stub of POST /email/batch written from Postmark's API documentation. */
class PostmarkProviderTest {
    private static final String TOKEN = "pm-server-token-secret";
    private static final String PATH = "/email/batch";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static WireMockServer stub;
    private PostmarkProvider provider;

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
        provider = new PostmarkProvider(URI.create(stub.baseUrl()), TOKEN, null, Duration.ofSeconds(2));
    }

    private static void answer(int status, String body) {
        stub.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(body)));
    }

    private static String ok(String to, String id) {
        return "{\"ErrorCode\":0,\"Message\":\"OK\",\"MessageID\":\"" + id + "\",\"SubmittedAt\":\"2026-01-05T10:00:00Z\","
                + "\"To\":\"" + to + "\"}";
    }

    private static List<OutgoingMessage> three() {
        List<Subscriber> people = List.of(
                Campaigns.subscriber("ada@example.com", "Ada", Map.of("plan", "pro")),
                Campaigns.subscriber("bob@example.com", "Bob \"The Builder\", Jr", Map.of("plan", "free")),
                Campaigns.subscriber("cy@example.com", null, Map.of("plan", "team", "vip", true)));
        return Campaigns.render(people, Campaigns.SUBJECT, Campaigns.PREHEADER, Campaigns.HTML, null);
    }

    @Test
    void givenBatch_whenSent_thenOneRequestWithEveryMessageItsHeadersMetadataTagAndStream() throws Exception {
        answer(200, "[" + ok("ada@example.com", "pm-1") + "," + ok("bob@example.com", "pm-2") + ","
                + ok("cy@example.com", "pm-3") + "]");
        List<OutgoingMessage> batch = three();

        List<SendResult> results = provider.send(batch);

        assertEquals(List.of("pm-1", "pm-2", "pm-3"), results.stream().map(SendResult::providerMessageId).toList());
        List<LoggedRequest> requests = stub.findAll(postRequestedFor(urlEqualTo(PATH)));
        assertEquals(1, requests.size());
        LoggedRequest request = requests.get(0);
        assertEquals(TOKEN, request.getHeader("X-Postmark-Server-Token"));
        assertEquals("application/json", request.getHeader("Accept"));
        assertTrue(request.getHeader("Content-Type").startsWith("application/json"));
        JsonNode messages = JSON.readTree(request.getBodyAsString());
        assertEquals(3, messages.size());
        for (int i = 0; i < 3; i++) {
            OutgoingMessage message = batch.get(i);
            JsonNode json = messages.get(i);
            assertEquals("\"Dispatch News\" <news@example.org>", json.path("From").asText());
            assertEquals("help@example.org", json.path("ReplyTo").asText());
            assertEquals(message.subject(), json.path("Subject").asText());
            assertEquals(MessageBodies.html(message), json.path("HtmlBody").asText());
            assertEquals(MessageBodies.text(message), json.path("TextBody").asText());
            assertEquals("camp-7", json.path("Tag").asText());
            assertEquals("broadcast", json.path("MessageStream").asText());
            assertEquals(message.to().value(), json.path("Metadata").path("recipient").asText());
            assertEquals("camp-7", json.path("Metadata").path("campaignId").asText());
            assertEquals("B", json.path("Metadata").path("variant").asText());
            assertEquals("batch-3", json.path("Metadata").path("batchId").asText());
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            json.path("Headers").forEach(h -> headers.put(h.path("Name").asText(), h.path("Value").asText()));
            assertEquals("<" + message.unsubscribeUrl() + ">", headers.get("List-Unsubscribe"));
            assertEquals("List-Unsubscribe=One-Click", headers.get("List-Unsubscribe-Post"));
            assertEquals("camp-7", headers.get("X-Dispatch-Campaign"));
            assertEquals(message.to().value(), headers.get("X-Dispatch-Recipient"));
            assertEquals("B", headers.get("X-Dispatch-Variant"));
            assertEquals("batch-3", headers.get("X-Dispatch-Batch"));
        }
        assertEquals("\"Ada\" <ada@example.com>", messages.get(0).path("To").asText());
        assertEquals("\"Bob \\\"The Builder\\\", Jr\" <bob@example.com>", messages.get(1).path("To").asText());
        assertEquals("cy@example.com", messages.get(2).path("To").asText());
        assertTrue(messages.get(0).path("HtmlBody").asText().contains("Your plan: pro"));
        assertTrue(messages.get(2).path("HtmlBody").asText().contains("Hello there,"));
        assertTrue(messages.get(2).path("HtmlBody").asText().contains("VIP corner"));
        assertTrue(messages.get(0).path("TextBody").asText().startsWith("Hello Ada,"));
    }

    @Test
    void givenPerMessageErrorCodes_whenSent_thenThoseMessagesRejectedWithTheCodeOthersAccepted() {
        answer(200, "[" + ok("ada@example.com", "pm-1") + ","
                + "{\"ErrorCode\":406,\"Message\":\"You tried to send to a recipient that has been marked as inactive.\"},"
                + "{\"ErrorCode\":300,\"Message\":\"Invalid 'To' address: 'cy@example.com'.\"}]");

        List<SendResult> results = provider.send(three());

        assertEquals(List.of(SendResult.Outcome.ACCEPTED, SendResult.Outcome.REJECTED, SendResult.Outcome.REJECTED),
                results.stream().map(SendResult::outcome).toList());
        assertTrue(results.get(1).detail().startsWith("postmark 406: "), results.get(1).detail());
        assertTrue(results.get(2).detail().startsWith("postmark 300: "), results.get(2).detail());
        assertEquals(EmailAddress.parse("bob@example.com"), results.get(1).recipient());
    }

    @Test
    void givenTooManyMessages422_whenSent_thenUnavailableNamingTheErrorCode() {
        answer(422, "{\"ErrorCode\":410,\"Message\":\"Too many batch messages.\"}");

        ProviderUnavailableException e = assertThrows(ProviderUnavailableException.class, () -> provider.send(three()));

        assertTrue(e.getMessage().contains("422 ErrorCode 410"), e.getMessage());
        assertTrue(e.completed().isEmpty());
    }

    @Test
    void givenRateLimited_whenSent_thenThrottledWithRetryAfter() {
        stub.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7")));

        ProviderThrottledException e = assertThrows(ProviderThrottledException.class, () -> provider.send(three()));

        assertEquals(Duration.ofSeconds(7), e.retryAfter().orElseThrow());
        assertEquals("postmark", e.provider());
    }

    @Test
    void givenBadTokenOrServerError_whenSent_thenUnavailableWithoutTheToken() {
        for (int status : new int[] {401, 500, 503}) {
            stub.resetAll();
            answer(status, "{\"ErrorCode\":10,\"Message\":\"Request failed (" + status + ").\"}");
            ProviderUnavailableException e = assertThrows(ProviderUnavailableException.class,
                    () -> provider.send(three()), "status " + status);
            assertTrue(e.getMessage().startsWith("postmark: " + status), e.getMessage());
            assertFalse(e.getMessage().contains(TOKEN));
        }
    }

    @Test
    void givenAnswerThatDoesNotMatchTheBatch_whenSent_thenUnavailableRatherThanGuessing() {
        answer(200, "[" + ok("ada@example.com", "pm-1") + "]");

        assertThrows(ProviderUnavailableException.class, () -> provider.send(three()));
    }

    @Test
    void givenSlowServer_whenSent_thenTimeoutMakesItUnavailable() {
        stub.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withFixedDelay(1500).withStatus(200).withBody("[]")));
        PostmarkProvider impatient = new PostmarkProvider(URI.create(stub.baseUrl()), TOKEN, "outbound", Duration.ofMillis(300));

        long start = System.nanoTime();
        List<OutgoingMessage> batch = three();
        ProviderUnavailableException e = assertThrows(ProviderUnavailableException.class, () -> impatient.send(batch));
        assertTrue(System.nanoTime() - start < 2_000_000_000L);
        // The request left and no answer came: Postmark may have accepted all three, so none may go elsewhere.
        assertEquals(batch.stream().map(OutgoingMessage::to).toList(), e.mayHaveBeenAccepted());
    }

    @Test
    void givenACallTimeoutShorterThanTheProvidersOwn_whenTheServerIsSlow_thenTheRequestEndsWithinIt() {
        stub.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withFixedDelay(3000).withStatus(200).withBody("[]")));
        PostmarkProvider patient = new PostmarkProvider(URI.create(stub.baseUrl()), TOKEN, "outbound", Duration.ofSeconds(20));

        long start = System.nanoTime();
        List<OutgoingMessage> batch = three();
        ProviderUnavailableException e = assertThrows(ProviderUnavailableException.class,
                () -> patient.send(batch, Duration.ofMillis(400)));
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "gave up at the call's timeout, not the provider's 20 s");
        assertEquals(batch.stream().map(OutgoingMessage::to).toList(), e.mayHaveBeenAccepted());
    }

    @Test
    void givenNoTimeLeftForTheCall_thenNoRequestIsMadeAndEachMessageComesBackNotSent() {
        List<SendResult> results = provider.send(three(), Duration.ZERO);

        assertTrue(results.stream().allMatch(r -> r.outcome() == SendResult.Outcome.FAILED_RETRYABLE), results.toString());
        assertEquals(3, results.size());
        assertEquals(0, stub.findAll(postRequestedFor(urlEqualTo(PATH))).size());
    }

    @Test
    void givenFiveHundredMessages_whenSent_thenOneCallAndMoreAreRefused() throws Exception {
        StringBuilder answers = new StringBuilder("[");
        List<OutgoingMessage> batch = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String email = "user" + i + "@example.com";
            batch.add(TestMessages.to(email, "User " + i).build());
            answers.append(i == 0 ? "" : ",").append(ok(email, "pm-" + i));
        }
        answer(200, answers.append("]").toString());

        List<SendResult> results = provider.send(batch);

        assertEquals(500, results.stream().filter(SendResult::accepted).count());
        assertEquals("pm-499", results.get(499).providerMessageId());
        assertEquals(1, stub.findAll(postRequestedFor(urlEqualTo(PATH))).size());
        assertEquals(500, JSON.readTree(stub.findAll(postRequestedFor(urlEqualTo(PATH))).get(0).getBodyAsString()).size());
        assertThrows(IllegalArgumentException.class,
                () -> provider.send(Collections.nCopies(501, TestMessages.ada().build())));
    }

    @Test
    void givenConfiguredStream_whenSent_thenItIsUsed() throws Exception {
        answer(200, "[" + ok("ada@example.com", "pm-1") + "]");
        new PostmarkProvider(URI.create(stub.baseUrl()), TOKEN, "newsletters", Duration.ofSeconds(2))
                .send(List.of(TestMessages.ada().build()));

        JsonNode sent = JSON.readTree(stub.findAll(postRequestedFor(urlEqualTo(PATH))).get(0).getBodyAsString());
        assertEquals("newsletters", sent.get(0).path("MessageStream").asText());
    }

    @Test
    void givenTheServerTokenIsRotated_thenTheNextSendUsesTheNewToken_andWithoutOneThePostmarkIsUnavailable() {
        answer(200, "[" + ok("ada@example.com", "id-1") + "," + ok("bob@example.com", "id-2") + "," + ok("cy@example.com", "id-3") + "]");
        java.util.concurrent.atomic.AtomicReference<java.util.Optional<String>> secret =
                new java.util.concurrent.atomic.AtomicReference<>(java.util.Optional.of("token-one"));
        RotatingCredentialProvider rotating = new RotatingCredentialProvider(PostmarkProvider.NAME,
                PostmarkProvider.MAX_BATCH_SIZE, secret::get,
                token -> new PostmarkProvider(URI.create(stub.baseUrl()), token, null, Duration.ofSeconds(2)));
        assertEquals(PostmarkProvider.NAME, rotating.name());
        assertEquals(PostmarkProvider.MAX_BATCH_SIZE, rotating.maxBatchSize());

        rotating.send(three());
        secret.set(java.util.Optional.of("token-two"));
        rotating.send(three());
        List<String> tokens = stub.findAll(postRequestedFor(urlEqualTo(PATH))).stream()
                .map(r -> r.getHeader("X-Postmark-Server-Token")).toList();
        assertEquals(List.of("token-one", "token-two"), tokens);

        secret.set(java.util.Optional.empty());
        ProviderUnavailableException unset = assertThrows(ProviderUnavailableException.class, () -> rotating.send(three()));
        assertTrue(unset.completed().isEmpty());
        assertEquals(2, stub.findAll(postRequestedFor(urlEqualTo(PATH))).size(), "nothing is sent without a token");
    }
}
