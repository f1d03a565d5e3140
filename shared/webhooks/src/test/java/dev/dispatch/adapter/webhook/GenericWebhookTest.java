package dev.dispatch.adapter.webhook;

import static dev.dispatch.adapter.webhook.Fixtures.load;
import static dev.dispatch.adapter.webhook.Fixtures.withBody;
import static dev.dispatch.adapter.webhook.Fixtures.withHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementType;
import dev.dispatch.domain.engagement.MalformedWebhookException;
import dev.dispatch.domain.engagement.WebhookAuthenticationException;
import dev.dispatch.domain.engagement.WebhookRequest;
import dev.dispatch.domain.engagement.WebhookTooLargeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GenericWebhookTest {
    private final GenericWebhook webhook = Fixtures.generic(Fixtures.fixtureClock());

    @Test
    void givenTheSignedFixture_thenEveryTypeIsMapped_andAnUnknownOneIsOther() {
        List<EngagementEvent> events = webhook.verifyAndParse(load("webhook-generic-events.json"));

        assertEquals(List.of(EngagementType.SENT, EngagementType.DELIVERED, EngagementType.DEFERRED, EngagementType.OPENED,
                EngagementType.CLICKED, EngagementType.BOUNCED, EngagementType.SOFT_BOUNCED, EngagementType.COMPLAINED,
                EngagementType.UNSUBSCRIBED, EngagementType.DROPPED, EngagementType.REJECTED, EngagementType.RENDERING_FAILURE,
                EngagementType.OTHER), events.stream().map(EngagementEvent::type).toList());
        EngagementEvent click = events.get(4);
        assertEquals("gen-0005", click.providerEventId());
        assertEquals("https://www.example.com/offer", click.url());
        assertEquals(FixtureWriter.CAMPAIGN, click.campaignId());
        assertEquals("A", click.variant());
        assertEquals(FixtureWriter.SENT_AT.minusSeconds(56), click.occurredAt());
        assertEquals("550 5.1.1 user unknown", events.get(5).detail());
        assertEquals("list_cleaned", events.get(12).providerType());
    }

    @Test
    void givenATamperedBody_aWrongSecretOrAnotherTimestamp_thenRefused() throws Exception {
        WebhookRequest request = load("webhook-generic-events.json");
        byte[] body = request.body();
        assertThrows(WebhookAuthenticationException.class,
                () -> webhook.verifyAndParse(withBody(request, Fixtures.flipOneByte(body, 10))));
        GenericWebhook other = new GenericWebhook("another-secret-of-enough-length", Fixtures.fixtureClock());
        assertThrows(WebhookAuthenticationException.class, () -> other.verifyAndParse(request));
        String header = request.header(GenericWebhook.SIGNATURE_HEADER);
        long t = FixtureWriter.SENT_AT.getEpochSecond();
        WebhookRequest shifted = withHeader(request, GenericWebhook.SIGNATURE_HEADER, header.replace("t=" + t, "t=" + (t + 1)));
        assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(shifted));
        WebhookRequest padded = withHeader(request, GenericWebhook.SIGNATURE_HEADER, header.replace("t=" + t, "t=0" + t));
        assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(padded));
    }

    @Test
    void givenAStaleTimestamp_thenRefused_unlessTheWindowIsWider() {
        WebhookRequest request = load("webhook-generic-events.json");
        GenericWebhook later = Fixtures.generic(Fixtures.clockAt(FixtureWriter.SENT_AT.plus(Duration.ofMinutes(6))));
        assertTrue(assertThrows(WebhookAuthenticationException.class, () -> later.verifyAndParse(request))
                .getMessage().contains("replay window"));
        GenericWebhook wide = new GenericWebhook(FixtureWriter.GENERIC_SECRET, Duration.ofMinutes(10), 1024 * 1024,
                Fixtures.clockAt(FixtureWriter.SENT_AT.plus(Duration.ofMinutes(6))));
        assertEquals(13, wide.verifyAndParse(request).size());
    }

    @Test
    void givenMissingOrGarbledSignatureHeaders_thenRefused() {
        WebhookRequest request = load("webhook-generic-events.json");
        assertTrue(assertThrows(WebhookAuthenticationException.class,
                () -> webhook.verifyAndParse(withHeader(request, GenericWebhook.SIGNATURE_HEADER, null))).credentialsMissing());
        long t = FixtureWriter.SENT_AT.getEpochSecond();
        for (String garbage : new String[] {"v1=00", "t=" + t, "t=" + t + ",v1=zz", "t=" + t + ",v1=" + "00".repeat(32),
                "t=" + t + ",v1=" + "00".repeat(31), "t=soon,v1=00", String.join(",", java.util.Collections.nCopies(20, "v1=00"))}) {
            assertThrows(WebhookAuthenticationException.class,
                    () -> webhook.verifyAndParse(withHeader(request, GenericWebhook.SIGNATURE_HEADER, garbage)), garbage);
        }
    }

    @Test
    void givenTwoV1Entries_thenOneMatchingIsEnough() {
        WebhookRequest request = load("webhook-generic-events.json");
        String header = request.header(GenericWebhook.SIGNATURE_HEADER);
        WebhookRequest rotated = withHeader(request, GenericWebhook.SIGNATURE_HEADER, header.replace(",v1=", ",v1=" + "ab".repeat(32) + ",v1="));
        assertEquals(13, webhook.verifyAndParse(rotated).size());
    }

    @Test
    void givenSignedMalformedBodies_thenMalformedNamingTheField() {
        assertEquals("body", malformed("{}"));
        assertEquals("[0].id", malformed("[{\"type\":\"opened\",\"email\":\"a@example.com\",\"timestamp\":1}]"));
        assertEquals("[0].email", malformed("[{\"id\":\"1\",\"type\":\"opened\",\"email\":\"nope\",\"timestamp\":1}]"));
        assertEquals("[1].timestamp", malformed("[{\"id\":\"1\",\"type\":\"opened\",\"email\":\"a@example.com\",\"timestamp\":1},"
                + "{\"id\":\"2\",\"type\":\"opened\",\"email\":\"a@example.com\",\"timestamp\":\"tuesday\"}]"));
        assertEquals("[0].id", malformed("[{\"id\":\"" + "x".repeat(1025) + "\",\"type\":\"opened\",\"email\":\"a@example.com\",\"timestamp\":1}]"));
        assertEquals("[0].type", malformed("[{\"id\":\"1\",\"type\":{},\"email\":\"a@example.com\",\"timestamp\":1}]"));
    }

    @Test
    void givenUnixSecondsOrAnOffsetTime_thenBothAccepted() {
        List<EngagementEvent> events = webhook.verifyAndParse(signed("[{\"id\":\"1\",\"type\":\"OPENED\",\"email\":\"a@example.com\","
                + "\"timestamp\":1796119200},{\"id\":\"2\",\"type\":\"opened\",\"email\":\"a@example.com\",\"timestamp\":\"2026-12-01T11:00:00+01:00\"}]"));
        assertEquals(Instant.parse("2026-12-01T10:00:00Z"), events.get(0).occurredAt());
        assertEquals(Instant.parse("2026-12-01T10:00:00Z"), events.get(1).occurredAt());
        assertEquals(EngagementType.OPENED, events.get(0).type());
    }

    @Test
    void givenABodyOverTheLimit_thenTooLarge() {
        GenericWebhook small = new GenericWebhook(FixtureWriter.GENERIC_SECRET, Duration.ofMinutes(5), 100, Fixtures.fixtureClock());
        assertThrows(WebhookTooLargeException.class, () -> small.verifyAndParse(load("webhook-generic-events.json")));
    }

    @Test
    void givenAShortSecret_thenConfigurationIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new GenericWebhook("short", Fixtures.fixtureClock()));
    }

    private String malformed(String body) {
        return assertThrows(MalformedWebhookException.class, () -> webhook.verifyAndParse(signed(body))).field();
    }

    private WebhookRequest signed(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new WebhookRequest(Map.of(GenericWebhook.SIGNATURE_HEADER, webhook.sign(FixtureWriter.SENT_AT.getEpochSecond(), bytes)),
                bytes, Map.of(), FixtureWriter.SENT_AT);
    }
}
