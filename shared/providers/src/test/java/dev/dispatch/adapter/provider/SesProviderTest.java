package dev.dispatch.adapter.provider;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
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
import dev.dispatch.adapter.render.MimeMessages;
import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.message.ProviderThrottledException;
import dev.dispatch.domain.message.ProviderUnavailableException;
import dev.dispatch.domain.message.SendResult;
import dev.dispatch.domain.message.TestMessages;
import dev.dispatch.emulators.SesLocal;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ses.SesClient;
import software.amazon.awssdk.services.ses.model.SendRawEmailRequest;

/** SesProvider against aws-ses-v2-local (real sends) and against WireMock answering SES's documented errors. */
class SesProviderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static SesLocal ses;
    private static WireMockServer stub;
    private static final List<byte[]> sentRaw = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() {
        ses = SesLocal.start();
        stub = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        stub.start();
    }

    @AfterAll
    static void stop() {
        if (stub != null) {
            stub.stop();
        }
        if (ses != null) {
            ses.close();
        }
    }

    @BeforeEach
    void clear() throws Exception {
        HTTP.send(HttpRequest.newBuilder(ses.endpoint().resolve("/clear-store")).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.discarding());
        sentRaw.clear();
        stub.resetAll();
    }

    private static SesClient client(URI endpoint, Duration apiCallTimeout, ExecutionInterceptor... more) {
        ExecutionInterceptor capture = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof SendRawEmailRequest raw) {
                    sentRaw.add(raw.rawMessage().data().asByteArray());
                }
            }
        };
        return SesClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.builder().build())
                .overrideConfiguration(c -> c.apiCallTimeout(apiCallTimeout)
                        .retryStrategy(AwsRetryStrategy.doNotRetry())
                        .executionInterceptors(concat(capture, more)))
                .build();
    }

    private static List<ExecutionInterceptor> concat(ExecutionInterceptor first, ExecutionInterceptor... more) {
        List<ExecutionInterceptor> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(more));
        return all;
    }

    private static JsonNode store() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(ses.endpoint().resolve("/store")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body()).path("emails");
    }

    private static MimeMessage parse(byte[] raw) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
    }

    @Test
    void givenThreeMessages_whenSentToLocalSes_thenEachStoredWithRecipientSubjectBodiesAndHeaders() throws Exception {
        List<OutgoingMessage> batch = List.of(
                TestMessages.ada().build(),
                TestMessages.to("bob@example.com", "Bob").subject("Bob's subject").html(null).text("Plain Bob").build(),
                TestMessages.to("cy@example.com", null).text(null).html("<p>Hello <a href=\"https://x.example.com\">Cy</a></p>")
                        .build());
        try (SesClient client = client(ses.endpoint(), Duration.ofSeconds(5))) {
            List<SendResult> results = new SesProvider(client, null).send(batch);

            assertEquals(3, results.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(SendResult.Outcome.ACCEPTED, results.get(i).outcome());
                assertEquals(batch.get(i).to(), results.get(i).recipient());
                assertTrue(results.get(i).providerMessageId().startsWith("ses-"), results.get(i).providerMessageId());
            }
            // Sent concurrently: the store holds them in arrival order, so each is found by its message id.
            Map<String, JsonNode> emails = new java.util.HashMap<>();
            store().forEach(email -> emails.put(email.path("messageId").asText(), email));
            assertEquals(3, emails.size());
            JsonNode ada = emails.get(results.get(0).providerMessageId());
            assertEquals(results.get(0).providerMessageId(), ada.path("messageId").asText());
            assertEquals("\"Ada Lovelace\" <ada@example.com>", ada.path("destination").path("to").get(0).asText());
            assertEquals("\"Dispatch News\" <news@example.org>", ada.path("from").asText());
            assertEquals("help@example.org", ada.path("replyTo").get(0).asText());
            assertEquals("Hello Ada Lovelace", ada.path("subject").asText());
            assertEquals("<html><body><p>Hi Ada Lovelace</p></body></html>", ada.path("body").path("html").asText());
            assertEquals("Hi Ada Lovelace", ada.path("body").path("text").asText().strip());
            JsonNode bob = emails.get(results.get(1).providerMessageId());
            assertEquals("Bob's subject", bob.path("subject").asText());
            assertEquals("Plain Bob", bob.path("body").path("text").asText().strip());
            assertTrue(bob.path("body").path("html").isMissingNode());
            assertEquals("Hello Cy (https://x.example.com)", emails.get(results.get(2).providerMessageId()).path("body").path("text").asText().strip());

            // The store keeps no headers: read them from the exact bytes the SDK sent.
            assertEquals(3, sentRaw.size());
            MimeMessage first = null;
            for (byte[] raw : sentRaw) {
                MimeMessage message = parse(raw);
                if ("ada@example.com".equals(message.getHeader("X-Dispatch-Recipient", null))) {
                    first = message;
                }
            }
            assertEquals("<https://example.org/u/ada.example.com>", first.getHeader("List-Unsubscribe", null));
            assertEquals("List-Unsubscribe=One-Click", first.getHeader("List-Unsubscribe-Post", null));
            assertEquals("camp-1", first.getHeader("X-Dispatch-Campaign", null));
            assertEquals("ada@example.com", first.getHeader("X-Dispatch-Recipient", null));
            assertEquals("A", first.getHeader("X-Dispatch-Variant", null));
            assertEquals("b-1", first.getHeader("X-Dispatch-Batch", null));
        }
    }

    private static String xmlError(String type, String code, String message) {
        return "<ErrorResponse xmlns=\"http://ses.amazonaws.com/doc/2010-12-01/\"><Error><Type>" + type + "</Type><Code>"
                + code + "</Code><Message>" + message + "</Message></Error><RequestId>req-1</RequestId></ErrorResponse>";
    }

    private static String xmlAccepted(String id) {
        return "<SendRawEmailResponse xmlns=\"http://ses.amazonaws.com/doc/2010-12-01/\"><SendRawEmailResult><MessageId>"
                + id + "</MessageId></SendRawEmailResult><ResponseMetadata><RequestId>req-2</RequestId>"
                + "</ResponseMetadata></SendRawEmailResponse>";
    }

    private void answer(String recipient, int status, String body) {
        stub.stubFor(post(urlEqualTo("/"))
                .withRequestBody(containing("Destinations.member.1=" + recipient.replace("@", "%40")))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "text/xml").withBody(body)));
    }

    private static List<OutgoingMessage> three() {
        return List.of(TestMessages.ada().build(), TestMessages.to("bob@example.com", "Bob").build(),
                TestMessages.to("cy@example.com", "Cy").build());
    }

    @Test
    void givenMessageRejectedForOne_whenSent_thenOnlyThatOneRejectedAndTagsAndConfigurationSetSent() {
        answer("ada@example.com", 200, xmlAccepted("id-ada"));
        answer("bob@example.com", 400, xmlError("Sender", "MessageRejected", "Email address is not verified."));
        answer("cy@example.com", 200, xmlAccepted("id-cy"));
        try (SesClient client = client(URI.create(stub.baseUrl()), Duration.ofSeconds(5))) {
            List<SendResult> results = new SesProvider(client, "dispatch-events").send(three());

            assertEquals(List.of(SendResult.Outcome.ACCEPTED, SendResult.Outcome.REJECTED, SendResult.Outcome.ACCEPTED),
                    results.stream().map(SendResult::outcome).toList());
            assertEquals("id-cy", results.get(2).providerMessageId());
            assertTrue(results.get(1).detail().contains("MessageRejected"), results.get(1).detail());
        }
        String form = URLDecoder.decode(stub.findAll(postRequestedFor(urlEqualTo("/"))).get(0).getBodyAsString(),
                StandardCharsets.UTF_8);
        assertTrue(form.contains("Action=SendRawEmail"), form);
        assertTrue(form.contains("ConfigurationSetName=dispatch-events"), form);
        assertTrue(form.contains("Tags.member.1.Name=campaignId&Tags.member.1.Value=camp-1"), form);
        assertTrue(form.contains("Tags.member.2.Name=variant&Tags.member.2.Value=A"), form);
        assertTrue(form.contains("Tags.member.3.Name=batchId&Tags.member.3.Value=b-1"), form);
        assertFalse(form.contains("Name=recipient"), form);
    }

    @Test
    void givenOneAtATimeAndThrottlingOnSecond_whenSent_thenThrottledWithFirstResultAndThirdNotTried() {
        answer("ada@example.com", 200, xmlAccepted("id-ada"));
        answer("bob@example.com", 400, xmlError("Sender", "Throttling", "Maximum sending rate exceeded."));
        answer("cy@example.com", 200, xmlAccepted("id-cy"));
        try (SesClient client = client(URI.create(stub.baseUrl()), Duration.ofSeconds(5))) {
            ProviderThrottledException e = assertThrows(ProviderThrottledException.class,
                    () -> new SesProvider(client, null, new MimeMessages(), 1).send(three()));

            assertEquals("ses", e.provider());
            assertEquals(List.of("id-ada"), e.completed().stream().map(SendResult::providerMessageId).toList());
            assertTrue(e.retryAfter().isEmpty());
        }
        assertEquals(2, stub.findAll(postRequestedFor(urlEqualTo("/"))).size());
    }

    private static List<OutgoingMessage> ten() {
        List<OutgoingMessage> ten = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ten.add(TestMessages.to("r" + i + "@example.com", "R" + i).build());
        }
        return ten;
    }

    /** Each recipient's SendRawEmail requests as the stub received them. */
    private static Map<String, Long> requestsPerRecipient() {
        return stub.findAll(postRequestedFor(urlEqualTo("/"))).stream()
                .map(r -> URLDecoder.decode(r.getBodyAsString(), StandardCharsets.UTF_8))
                .map(form -> form.replaceAll("(?s).*Destinations\\.member\\.1=([^&]+).*", "$1"))
                .collect(Collectors.groupingBy(a -> a, Collectors.counting()));
    }

    @Test
    void givenTenMessages_whenSent_thenAllTenAreInFlightTogether() {
        stub.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(200).withBody(xmlAccepted("id"))));
        CountDownLatch together = new CountDownLatch(10);
        AtomicBoolean allMet = new AtomicBoolean(true);
        ExecutionInterceptor meet = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                // Each request waits here until all ten have started: only a concurrent send gets all ten through.
                together.countDown();
                try {
                    if (!together.await(5, TimeUnit.SECONDS)) {
                        allMet.set(false);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (SesClient client = client(URI.create(stub.baseUrl()), Duration.ofSeconds(20), meet)) {
            List<SendResult> results = new SesProvider(client, null).send(ten());

            assertTrue(allMet.get(), "the ten requests were in flight at the same time");
            assertEquals(ten().stream().map(OutgoingMessage::to).toList(), results.stream().map(SendResult::recipient).toList(),
                    "results in the batch's order");
            assertTrue(results.stream().allMatch(r -> r.outcome() == SendResult.Outcome.ACCEPTED), results.toString());
        }
    }

    @Test
    void givenThrottlingOnOneOfTenInFlight_whenSent_thenEveryAcceptedOneIsCompletedAndNoneIsSentTwice() {
        stub.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withFixedDelay(300).withStatus(200)
                .withHeader("Content-Type", "text/xml").withBody(xmlAccepted("id-ok"))));
        answer("r3@example.com", 400, xmlError("Sender", "Throttling", "Maximum sending rate exceeded."));
        try (SesClient client = client(URI.create(stub.baseUrl()), Duration.ofSeconds(5))) {
            ProviderThrottledException e = assertThrows(ProviderThrottledException.class,
                    () -> new SesProvider(client, null, new MimeMessages(), 4).send(ten()));

            Map<String, Long> requests = requestsPerRecipient();
            assertTrue(requests.values().stream().allMatch(n -> n == 1), "no recipient requested twice: " + requests);
            Set<String> accepted = new HashSet<>(requests.keySet());
            accepted.remove("r3@example.com");
            // Every message SES accepted (those in flight with the throttled one included) is reported, so the
            // caller never sends it again; the throttled one and those never started are not.
            assertEquals(accepted, e.completed().stream().map(r -> r.recipient().value()).collect(Collectors.toSet()));
            assertTrue(e.completed().stream().allMatch(r -> r.outcome() == SendResult.Outcome.ACCEPTED));
            assertTrue(requests.size() < 10, "messages not yet started when the throttling came back were not started");
        }
    }

    @Test
    void givenOneTimedOutAndOneThrottledInFlight_whenSent_thenUnavailableNamingTheUnansweredOne() {
        stub.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml")
                .withBody(xmlAccepted("id-ok"))));
        stub.stubFor(post(urlEqualTo("/")).withRequestBody(containing("Destinations.member.1=ada%40example.com"))
                .willReturn(aResponse().withFixedDelay(3000).withStatus(200).withBody(xmlAccepted("late"))));
        answer("bob@example.com", 400, xmlError("Sender", "Throttling", "Maximum sending rate exceeded."));
        try (SesClient client = client(URI.create(stub.baseUrl()), Duration.ofSeconds(1))) {
            // A throttled message was not sent, but the timed-out one may have been: the call must say so, whatever
            // came back first, or the caller would send Ada again elsewhere.
            ProviderUnavailableException e = assertThrows(ProviderUnavailableException.class,
                    () -> new SesProvider(client, null, new MimeMessages(), 3).send(three()));

            assertEquals(List.of(TestMessages.ada().build().to()), e.mayHaveBeenAccepted());
            assertFalse(e.completed().stream().anyMatch(r -> r.recipient().value().equals("bob@example.com")));
        }
    }

    @Test
    void givenDailyQuotaExceeded_whenSent_thenThrottledWithAnHourToWait() {
        answer("ada@example.com", 400, xmlError("Sender", "Throttling", "Daily message quota exceeded."));
        try (SesClient client = client(URI.create(stub.baseUrl()), Duration.ofSeconds(5))) {
            ProviderThrottledException e = assertThrows(ProviderThrottledException.class,
                    () -> new SesProvider(client, null).send(List.of(TestMessages.ada().build())));
            assertEquals(Duration.ofHours(1), e.retryAfter().orElseThrow());
            assertTrue(e.completed().isEmpty());
        }
    }

    @Test
    void givenPausedSuspendedUnverifiedOr5xx_whenSent_thenUnavailable() {
        String[][] cases = {
                {"400", "AccountSendingPausedException", "Account sending paused."},
                {"400", "ConfigurationSetSendingPausedException", "Configuration set sending paused."},
                {"400", "MailFromDomainNotVerifiedException", "MAIL FROM domain not verified."},
                {"400", "AccountSuspended", "Account suspended."},
                {"403", "InvalidClientTokenId", "The security token included in the request is invalid."},
                {"503", "ServiceUnavailable", "Service unavailable."}};
        try (SesClient client = client(URI.create(stub.baseUrl()), Duration.ofSeconds(5))) {
            // One at a time, so that the third message is never started (see the concurrent cases above).
            SesProvider provider = new SesProvider(client, null, new MimeMessages(), 1);
            for (String[] c : cases) {
                stub.resetAll();
                answer("ada@example.com", 200, xmlAccepted("id-ada"));
                answer("bob@example.com", Integer.parseInt(c[0]), xmlError(c[0].startsWith("5") ? "Receiver" : "Sender", c[1], c[2]));
                ProviderUnavailableException e = assertThrows(ProviderUnavailableException.class,
                        () -> provider.send(three()), c[1]);
                assertTrue(e.getMessage().contains(c[1]), e.getMessage());
                assertEquals(1, e.completed().size(), c[1]);
                assertEquals(2, stub.findAll(postRequestedFor(urlEqualTo("/"))).size(), c[1]);
            }
        }
    }

    @Test
    void givenConnectionRefused_whenSent_thenUnavailableWithNothingCompleted() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (SesClient client = client(URI.create("http://127.0.0.1:" + closedPort), Duration.ofSeconds(5))) {
            ProviderUnavailableException e = assertThrows(ProviderUnavailableException.class,
                    () -> new SesProvider(client, null).send(three()));
            assertTrue(e.completed().isEmpty());
        }
    }

    @Test
    void givenProviderHangs_whenSent_thenApiCallTimeoutMakesItUnavailable() {
        stub.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withFixedDelay(1500).withStatus(200)
                .withBody(xmlAccepted("late"))));
        try (SesClient client = client(URI.create(stub.baseUrl()), Duration.ofMillis(500))) {
            long start = System.nanoTime();
            assertThrows(ProviderUnavailableException.class,
                    () -> new SesProvider(client, null).send(List.of(TestMessages.ada().build())));
            assertTrue(System.nanoTime() - start < 2_500_000_000L, "gave up at the api call timeout");
        }
    }

    @Test
    void givenACallTimeoutShorterThanTheClients_whenTheProviderHangs_thenTheCallEndsWithinIt() {
        stub.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withFixedDelay(4000).withStatus(200)
                .withBody(xmlAccepted("late"))));
        try (SesClient client = client(URI.create(stub.baseUrl()), Duration.ofSeconds(10))) {
            long start = System.nanoTime();
            ProviderUnavailableException e = assertThrows(ProviderUnavailableException.class,
                    () -> new SesProvider(client, null).send(List.of(TestMessages.ada().build()), Duration.ofMillis(1500)));
            assertTrue(System.nanoTime() - start < 3_000_000_000L, "gave up at the call's timeout, not the client's");
            assertEquals(List.of(TestMessages.ada().build().to()), e.mayHaveBeenAccepted());
        }
    }

    @Test
    void givenTooLittleOfTheCallLeft_thenNoMessageIsStartedAndEachComesBackNotSent() throws Exception {
        try (SesClient client = client(ses.endpoint(), Duration.ofSeconds(5))) {
            List<SendResult> results = new SesProvider(client, null).send(three(), Duration.ofMillis(500));

            assertEquals(3, results.size());
            assertTrue(results.stream().allMatch(r -> r.outcome() == SendResult.Outcome.FAILED_RETRYABLE), results.toString());
            assertEquals(three().stream().map(OutgoingMessage::to).toList(), results.stream().map(SendResult::recipient).toList());
            assertTrue(sentRaw.isEmpty(), "no request was made");
        }
    }

    @Test
    void givenCorrelationValueWithOtherCharacters_whenTagged_thenOnlyAllowedCharactersRemain() {
        assertEquals("spring_sale-2026_", SesProvider.tagValue("spring sale-2026!"));
        assertEquals(256, SesProvider.tagValue("x".repeat(300)).length());
    }
}
