package dev.dispatch.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.adapter.webhook.GenericWebhook;
import dev.dispatch.adapter.webhook.PostmarkWebhook;
import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementQueue;
import dev.dispatch.domain.engagement.ProviderWebhook;
import dev.dispatch.domain.engagement.WebhookRequest;
import dev.dispatch.domain.engagement.WebhookResult;
import dev.dispatch.domain.metrics.Measurements;
import dev.dispatch.domain.metrics.MetricNames;
import dev.dispatch.webhook.WebhookIntake.Answer;
import dev.dispatch.webhook.WebhookIntake.Provider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WebhookIntakeTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:30Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String SECRET = "unit-test-generic-secret";
    private static final String EVENTS = "[{\"id\":\"e1\",\"type\":\"delivered\",\"email\":\"a@example.com\","
            + "\"timestamp\":\"2026-12-01T10:00:00Z\"},{\"id\":\"e2\",\"type\":\"bounced\",\"email\":\"b@example.com\","
            + "\"timestamp\":\"2026-12-01T10:00:01Z\"}]";

    private final GenericWebhook generic = new GenericWebhook(SECRET, CLOCK);
    private final List<List<EngagementEvent>> queued = new ArrayList<>();
    private final List<String> confirmed = new ArrayList<>();
    private EngagementQueue queue = queued::add;
    private SubscriptionConfirmer confirmer = url -> confirmed.add(url);

    private WebhookIntake intake(Provider... providers) {
        return new WebhookIntake(List.of(providers), events -> queue.submit(events), url -> confirmer.confirm(url), CLOCK);
    }

    private WebhookIntake genericIntake() {
        return intake(Provider.ready("generic", generic), Provider.unavailable("sendgrid", "SENDGRID_WEBHOOK_PUBLIC_KEY is not set"),
                Provider.ready("postmark", PostmarkWebhook.basicAuth("user", "password")));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private Answer postGeneric(WebhookIntake intake, long signedAt, String signedBody, String sentBody) {
        return intake.receive("generic", Map.of("X-Dispatch-Signature", generic.sign(signedAt, bytes(signedBody))),
                bytes(sentBody), Map.of());
    }

    @Test
    void givenASignedRequest_thenItsEventsAreQueuedBeforeTheAnswer() {
        Answer answer = postGeneric(genericIntake(), NOW.getEpochSecond() - 30, EVENTS, EVENTS);
        assertEquals(200, answer.status());
        assertEquals(Map.of("received", 2), answer.body());
        assertEquals(1, queued.size());
        assertEquals(List.of("e1", "e2"), queued.get(0).stream().map(EngagementEvent::providerEventId).toList());
    }

    @Test
    void givenAcceptedAndRefusedRequests_thenOnlyTheQueuedEventsAreMeasured_oncePerRequestAndProvider() {
        List<Measurements> published = new ArrayList<>();
        WebhookIntake intake = new WebhookIntake(List.of(Provider.ready("generic", generic)), queued::add,
                url -> true, CLOCK, published::add);
        assertEquals(200, postGeneric(intake, NOW.getEpochSecond(), EVENTS, EVENTS).status());
        assertEquals(403, postGeneric(intake, NOW.getEpochSecond(), EVENTS, EVENTS.replace("e1", "e9")).status());
        assertEquals(1, published.size(), "one publication for the accepted request, none for the refused one");
        assertEquals(Map.of("generic", Map.of(MetricNames.WEBHOOK_EVENTS_ACCEPTED, 2L)), published.get(0).countsByProvider());
        assertFalse(published.get(0).properties().toString().contains("@"), "no address in the metrics");
    }

    @Test
    void givenTheQueueFails_then503SoTheProviderRetries() {
        queue = events -> {
            throw new IllegalStateException("SQS is down");
        };
        Answer answer = postGeneric(genericIntake(), NOW.getEpochSecond(), EVENTS, EVENTS);
        assertEquals(503, answer.status());
        assertTrue(answer.body().get("error").toString().contains("retry"), answer.body().toString());
    }

    @Test
    void givenRefusedRequests_thenEachGetsItsStatusAndNothingIsQueued() {
        WebhookIntake intake = genericIntake();
        assertEquals(403, postGeneric(intake, NOW.getEpochSecond(), EVENTS, EVENTS.replace("e1", "e9")).status());
        assertEquals(403, postGeneric(intake, NOW.getEpochSecond() - 3600, EVENTS, EVENTS).status());
        assertEquals(401, intake.receive("generic", Map.of(), bytes(EVENTS), Map.of()).status());
        Answer malformed = postGeneric(intake, NOW.getEpochSecond(), "[{\"id\":\"x\"}]", "[{\"id\":\"x\"}]");
        assertEquals(400, malformed.status());
        assertEquals("[0].type", malformed.body().get("field"));
        String large = "[" + " ".repeat(1024 * 1024) + "]";
        assertEquals(413, postGeneric(intake, NOW.getEpochSecond(), large, large).status());
        assertTrue(queued.isEmpty());
    }

    @Test
    void givenPostmarkWithoutCredentials_then401WithABasicChallenge_andWrongOnesAre403() {
        WebhookIntake intake = genericIntake();
        String body = "{\"RecordType\":\"Delivery\",\"MessageID\":\"m1\",\"Recipient\":\"a@example.com\","
                + "\"DeliveredAt\":\"2026-12-01T09:59:01Z\"}";
        Answer missing = intake.receive("postmark", Map.of(), bytes(body), Map.of());
        assertEquals(401, missing.status());
        assertEquals("Basic realm=\"webhooks\"", missing.headers().get("WWW-Authenticate"));
        Answer wrong = intake.receive("postmark", Map.of("Authorization", "Basic dXNlcjp3cm9uZw=="), bytes(body), Map.of());
        assertEquals(403, wrong.status());
        assertNull(wrong.headers().get("WWW-Authenticate"));
        Answer right = intake.receive("postmark", Map.of("authorization", "Basic dXNlcjpwYXNzd29yZA=="), bytes(body), Map.of());
        assertEquals(200, right.status());
        assertEquals(Map.of("received", 1), right.body());
    }

    @Test
    void givenAnUnknownOrUnconfiguredProvider_then404Or503NamingTheSetting() {
        WebhookIntake intake = genericIntake();
        assertEquals(404, intake.receive("mailgun", Map.of(), bytes(EVENTS), Map.of()).status());
        Answer unconfigured = intake.receive("sendgrid", Map.of(), bytes(EVENTS), Map.of());
        assertEquals(503, unconfigured.status());
        assertTrue(unconfigured.body().get("error").toString().contains("SENDGRID_WEBHOOK_PUBLIC_KEY"));
        assertTrue(queued.isEmpty());
    }

    @Test
    void givenASubscriptionConfirmation_thenTheUrlIsFetched_200When2xxElse502() {
        ProviderWebhook handshake = stub(r -> WebhookResult.confirmSubscription("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t"));
        WebhookIntake intake = intake(Provider.ready("amazon-ses", handshake));
        Answer answer = intake.receive("amazon-ses", Map.of(), bytes("{}"), Map.of());
        assertEquals(200, answer.status());
        assertEquals(List.of("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t"), confirmed);
        confirmer = url -> false;
        assertEquals(502, intake.receive("amazon-ses", Map.of(), bytes("{}"), Map.of()).status());
        assertTrue(queued.isEmpty());
    }

    @Test
    void givenTheCertificateCantBeFetched_then503() {
        WebhookIntake intake = intake(Provider.ready("amazon-ses", stub(r -> {
            throw new UncheckedIOException("SNS signing certificate is unavailable", new IOException("timeout"));
        })));
        assertEquals(503, intake.receive("amazon-ses", Map.of(), bytes("{}"), Map.of()).status());
    }

    @Test
    void givenARequest_thenItIsReceivedAtTheVerificationClock_withHeadersQueryAndExactBytes() {
        AtomicReference<WebhookRequest> seen = new AtomicReference<>();
        WebhookIntake intake = intake(Provider.ready("generic", stub(r -> {
            seen.set(r);
            return WebhookResult.of(List.of());
        })));
        byte[] body = {'[', ']', '\r', '\n', (byte) 0xff};
        Answer answer = intake.receive("generic", Map.of("x-a", "1,2"), body, Map.of("q", "v"));
        assertEquals(Map.of("received", 0), answer.body());
        assertEquals(NOW, seen.get().receivedAt());
        assertEquals("1,2", seen.get().header("X-A"));
        assertEquals("v", seen.get().queryParameter("q"));
        assertTrue(java.util.Arrays.equals(body, seen.get().body()));
        assertFalse(queued.stream().anyMatch(List::isEmpty), "an empty request queues nothing");
    }

    private static ProviderWebhook stub(java.util.function.Function<WebhookRequest, WebhookResult> receive) {
        return new ProviderWebhook() {
            @Override
            public String provider() {
                return "stub";
            }

            @Override
            public WebhookResult receive(WebhookRequest request) {
                return receive.apply(request);
            }
        };
    }
}
