package dev.dispatch.adapter.webhook;

import static dev.dispatch.adapter.webhook.Fixtures.clockAt;
import static dev.dispatch.adapter.webhook.Fixtures.load;
import static dev.dispatch.adapter.webhook.Fixtures.withBody;
import static dev.dispatch.adapter.webhook.Fixtures.withHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementType;
import dev.dispatch.domain.engagement.MalformedWebhookException;
import dev.dispatch.domain.engagement.WebhookAuthenticationException;
import dev.dispatch.domain.engagement.WebhookRequest;
import dev.dispatch.domain.engagement.WebhookTooLargeException;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SendGridWebhookTest {
    private static final Instant VECTOR_TIME = Instant.ofEpochSecond(Long.parseLong(FixtureWriter.SENDGRID_VECTOR_TIMESTAMP));
    /** The "bad key" of sendgrid-java's EventWebhookTest: a valid P-256 key that did not sign the vector. */
    private static final String OTHER_KEY = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDu"
            + "tdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==";

    private static SendGridWebhook vectorWebhook(Clock clock) {
        return new SendGridWebhook(FixtureWriter.SENDGRID_VECTOR_PUBLIC_KEY, clock);
    }

    private static WebhookRequest vectorRequest() {
        return load("webhook-sendgrid-dropped-test-vector.json");
    }

    @Test
    void givenSendGridsPublishedTestVector_whenVerifiedAtItsTime_thenTheDroppedEventIsParsed() {
        List<EngagementEvent> events = vectorWebhook(clockAt(VECTOR_TIME)).verifyAndParse(vectorRequest());

        assertEquals(1, events.size());
        EngagementEvent event = events.get(0);
        assertEquals("sendgrid", event.provider());
        assertEquals("ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA", event.providerEventId());
        assertEquals(EngagementType.DROPPED, event.type());
        assertEquals("hello@world.com", event.recipient().value());
        assertEquals(Instant.ofEpochSecond(1600112492), event.occurredAt());
        assertEquals("Bounced Address", event.detail());
        assertEquals("dropped", event.providerType());
        assertNull(event.campaignId());
    }

    @Test
    void givenTheVectorBodyWithOneByteChanged_thenRefused() {
        WebhookRequest request = vectorRequest();
        byte[] body = request.body();
        WebhookRequest tampered = withBody(request, Fixtures.flipOneByte(body, body.length / 2));
        assertThrows(WebhookAuthenticationException.class, () -> vectorWebhook(clockAt(VECTOR_TIME)).verifyAndParse(tampered));
    }

    @Test
    void givenTheVectorWithoutItsTrailingCrLf_thenRefused() {
        // The signature covers the raw bytes: a body "cleaned up" by anything on the way no longer verifies.
        String body = Fixtures.bodyOf(vectorRequest());
        WebhookRequest trimmed = withBody(vectorRequest(), body.strip());
        assertThrows(WebhookAuthenticationException.class, () -> vectorWebhook(clockAt(VECTOR_TIME)).verifyAndParse(trimmed));
    }

    @Test
    void givenAnotherPublicKey_thenTheVectorIsRefused() {
        SendGridWebhook other = new SendGridWebhook(OTHER_KEY, clockAt(VECTOR_TIME));
        var e = assertThrows(WebhookAuthenticationException.class, () -> other.verifyAndParse(vectorRequest()));
        assertFalse(e.credentialsMissing());
    }

    @Test
    void givenAnotherSignedTimestamp_thenRefused() {
        WebhookRequest shifted = withHeader(vectorRequest(), SendGridWebhook.TIMESTAMP_HEADER, "1600112503");
        assertThrows(WebhookAuthenticationException.class,
                () -> vectorWebhook(clockAt(VECTOR_TIME)).verifyAndParse(shifted));
    }

    @Test
    void givenTheVectorSixMinutesLater_thenStaleAndRefused_unlessTheWindowIsWider() {
        Clock later = clockAt(VECTOR_TIME.plus(Duration.ofMinutes(6)));
        var e = assertThrows(WebhookAuthenticationException.class, () -> vectorWebhook(later).verifyAndParse(vectorRequest()));
        assertTrue(e.getMessage().contains("replay window"), e.getMessage());
        Clock earlier = clockAt(VECTOR_TIME.minus(Duration.ofMinutes(6)));
        assertThrows(WebhookAuthenticationException.class, () -> vectorWebhook(earlier).verifyAndParse(vectorRequest()));

        SendGridWebhook wide = new SendGridWebhook(FixtureWriter.SENDGRID_VECTOR_PUBLIC_KEY, Duration.ofMinutes(10),
                1024 * 1024, later);
        assertEquals(1, wide.verifyAndParse(vectorRequest()).size());
    }

    @Test
    void givenMissingHeaders_thenRefusedAsMissingCredentials() {
        SendGridWebhook webhook = vectorWebhook(clockAt(VECTOR_TIME));
        var noSignature = withHeader(vectorRequest(), SendGridWebhook.SIGNATURE_HEADER, null);
        var noTimestamp = withHeader(vectorRequest(), SendGridWebhook.TIMESTAMP_HEADER, null);
        assertTrue(assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(noSignature)).credentialsMissing());
        assertTrue(assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(noTimestamp)).credentialsMissing());
    }

    @Test
    void givenHeadersInAnyCase_thenFound() {
        WebhookRequest request = vectorRequest();
        String signature = request.header(SendGridWebhook.SIGNATURE_HEADER);
        String timestamp = request.header(SendGridWebhook.TIMESTAMP_HEADER);
        WebhookRequest upper = new WebhookRequest(Map.of("X-TWILIO-EMAIL-EVENT-WEBHOOK-SIGNATURE", signature,
                "x-Twilio-Email-Event-Webhook-Timestamp", timestamp), request.body(), Map.of(), request.receivedAt());
        assertEquals(1, vectorWebhook(clockAt(VECTOR_TIME)).verifyAndParse(upper).size());
    }

    @Test
    void givenGarbageSignatures_thenRefusedNotCrashed() {
        SendGridWebhook webhook = vectorWebhook(clockAt(VECTOR_TIME));
        for (String garbage : new String[] {"not base64!", "AAAA", Base64.getEncoder().encodeToString(new byte[72])}) {
            var request = withHeader(vectorRequest(), SendGridWebhook.SIGNATURE_HEADER, garbage);
            assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(request), garbage);
        }
        var notANumber = withHeader(vectorRequest(), SendGridWebhook.TIMESTAMP_HEADER, "timestamp");
        assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(notANumber));
    }

    @Test
    void givenABodyOverTheLimit_thenTooLargeBeforeAnythingElse() {
        SendGridWebhook small = new SendGridWebhook(FixtureWriter.SENDGRID_VECTOR_PUBLIC_KEY, Duration.ofMinutes(5), 100,
                clockAt(VECTOR_TIME));
        WebhookRequest unsigned = new WebhookRequest(Map.of(), new byte[101], Map.of(), VECTOR_TIME);
        assertThrows(WebhookTooLargeException.class, () -> small.verifyAndParse(unsigned));
        assertThrows(WebhookTooLargeException.class, () -> small.verifyAndParse(vectorRequest()));
    }

    @Test
    void givenTheSignedFixtureWithEveryEventType_thenEachIsMappedWithItsCorrelation() {
        List<EngagementEvent> events = Fixtures.sendGrid(Fixtures.fixtureClock()).verifyAndParse(load("webhook-sendgrid-events.json"));

        assertEquals(List.of(EngagementType.SENT, EngagementType.DEFERRED, EngagementType.DELIVERED, EngagementType.OPENED,
                EngagementType.CLICKED, EngagementType.BOUNCED, EngagementType.SOFT_BOUNCED, EngagementType.DROPPED,
                EngagementType.COMPLAINED, EngagementType.UNSUBSCRIBED, EngagementType.UNSUBSCRIBED, EngagementType.OTHER),
                events.stream().map(EngagementEvent::type).toList());
        EngagementEvent click = events.get(4);
        assertEquals("https://www.example.com/offer?utm_source=dispatch", click.url());
        assertEquals(FixtureWriter.CAMPAIGN, click.campaignId());
        assertEquals("A", click.variant());
        assertEquals(FixtureWriter.BATCH, click.batchId());
        assertEquals(dev.dispatch.adapter.render.CampaignRenderer.recipientKey(click.recipient()), click.recipientKey());
        assertEquals("sg-click-0001", click.providerEventId());
        EngagementEvent bounce = events.get(5);
        assertEquals("fixture.bob@example.com", bounce.recipient().value());
        assertEquals("B", bounce.variant());
        assertEquals("bounce/bounce", bounce.providerType());
        assertTrue(bounce.detail().startsWith("Invalid Address: 550 5.1.1"), bounce.detail());
        assertEquals("bounce/blocked", events.get(6).providerType());
        assertEquals("group_resubscribe", events.get(11).providerType());
        assertNull(events.get(0).url());
    }

    @Test
    void givenSignedButMalformedBodies_thenMalformedNamingTheField() throws Exception {
        assertMalformed("{\"event\":\"open\"}", "body");
        assertMalformed("[{\"event\":\"open\"", "body");
        assertMalformed("[{\"email\":\"a@example.com\",\"timestamp\":1,\"event\":\"open\"}]", "[0].sg_event_id");
        assertMalformed("[{\"email\":\"not-an-address\",\"timestamp\":1,\"event\":\"open\",\"sg_event_id\":\"x\"}]", "[0].email");
        assertMalformed("[{\"email\":\"a@example.com\",\"timestamp\":\"soon\",\"event\":\"open\",\"sg_event_id\":\"x\"}]",
                "[0].timestamp");
        assertMalformed("[{\"email\":\"a@example.com\",\"timestamp\":1,\"sg_event_id\":\"x\"}]", "[0].event");
        assertMalformed("[1]", "[0]");
    }

    @Test
    void givenAnEmptyArray_thenNoEvents() throws Exception {
        assertEquals(List.of(), Fixtures.sendGrid(Fixtures.fixtureClock()).verifyAndParse(signedWithTestKey("[]")));
    }

    private static void assertMalformed(String body, String field) throws Exception {
        WebhookRequest request = signedWithTestKey(body);
        var e = assertThrows(MalformedWebhookException.class,
                () -> Fixtures.sendGrid(Fixtures.fixtureClock()).verifyAndParse(request), body);
        assertEquals(field, e.field(), e.getMessage());
    }

    static WebhookRequest signedWithTestKey(String body) throws Exception {
        String timestamp = Long.toString(FixtureWriter.SENT_AT.getEpochSecond());
        Signature ecdsa = Signature.getInstance("SHA256withECDSA");
        ecdsa.initSign(Fixtures.privateKey("sendgrid-test-signing-key.pem", "EC"));
        ecdsa.update((timestamp + body).getBytes(StandardCharsets.UTF_8));
        return new WebhookRequest(Map.of(SendGridWebhook.SIGNATURE_HEADER, Base64.getEncoder().encodeToString(ecdsa.sign()),
                SendGridWebhook.TIMESTAMP_HEADER, timestamp), body.getBytes(StandardCharsets.UTF_8), Map.of(),
                FixtureWriter.SENT_AT);
    }

    @Test
    void givenAKeyThatIsNotP256_thenConfigurationIsRefusedAtStartup() {
        assertThrows(IllegalArgumentException.class, () -> new SendGridWebhook("", clockAt(VECTOR_TIME)));
        assertThrows(IllegalArgumentException.class, () -> new SendGridWebhook("bm90IGEga2V5", clockAt(VECTOR_TIME)));
        String pem = "-----BEGIN PUBLIC KEY-----\n" + FixtureWriter.SENDGRID_VECTOR_PUBLIC_KEY + "\n-----END PUBLIC KEY-----\n";
        assertEquals(1, new SendGridWebhook(pem, clockAt(VECTOR_TIME)).verifyAndParse(vectorRequest()).size());
    }
}
