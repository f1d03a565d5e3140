package dev.dispatch.adapter.webhook;

import static dev.dispatch.adapter.webhook.Fixtures.load;
import static dev.dispatch.adapter.webhook.Fixtures.withBody;
import static dev.dispatch.adapter.webhook.Fixtures.withHeader;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatch.adapter.render.CampaignRenderer;
import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementRecorder;
import dev.dispatch.domain.engagement.EngagementType;
import dev.dispatch.domain.engagement.MalformedWebhookException;
import dev.dispatch.domain.engagement.WebhookAuthenticationException;
import dev.dispatch.domain.engagement.WebhookRequest;
import dev.dispatch.domain.engagement.WebhookResult;
import dev.dispatch.domain.engagement.WebhookTooLargeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SesSnsWebhookTest {
    private static final String ADA = "fixture.ada@example.com";
    private static final String BOB = "fixture.bob@example.com";

    private final Fixtures.TestCertificates certificates = new Fixtures.TestCertificates();
    private final SesSnsWebhook webhook = Fixtures.ses(certificates, Fixtures.fixtureClock());

    private List<EngagementEvent> parse(String file) {
        return webhook.verifyAndParse(load(file));
    }

    @ParameterizedTest
    @CsvSource({
        "webhook-ses-send.json, SENT, fixture.ada@example.com, Send",
        "webhook-ses-reject.json, REJECTED, fixture.ada@example.com, Reject",
        "webhook-ses-bounce-permanent.json, BOUNCED, fixture.bob@example.com, Bounce",
        "webhook-ses-bounce-transient.json, SOFT_BOUNCED, fixture.bob@example.com, Bounce",
        "webhook-ses-complaint.json, COMPLAINED, fixture.ada@example.com, Complaint",
        "webhook-ses-delivery.json, DELIVERED, fixture.ada@example.com, Delivery",
        "webhook-ses-open.json, OPENED, fixture.ada@example.com, Open",
        "webhook-ses-click.json, CLICKED, fixture.ada@example.com, Click",
        "webhook-ses-rendering-failure.json, RENDERING_FAILURE, fixture.ada@example.com, Rendering Failure",
        "webhook-ses-delivery-delay.json, DEFERRED, fixture.ada@example.com, DeliveryDelay",
        "webhook-ses-subscription.json, UNSUBSCRIBED, fixture.ada@example.com, Subscription",
        "webhook-ses-notification-bounce.json, BOUNCED, fixture.bob@example.com, Bounce",
        "webhook-ses-notification-complaint.json, COMPLAINED, fixture.ada@example.com, Complaint",
        "webhook-ses-notification-delivery.json, DELIVERED, fixture.ada@example.com, Delivery",
    })
    void givenEachSignedFixture_whenReceived_thenOneEventOfItsTypeWithTheMessagesCorrelation(String file,
            EngagementType type, String recipient, String providerType) throws Exception {
        List<EngagementEvent> events = parse(file);

        assertEquals(1, events.size());
        EngagementEvent event = events.get(0);
        assertEquals(type, event.type());
        assertEquals(recipient, event.recipient().value());
        assertEquals(providerType, event.providerType());
        assertEquals("ses", event.provider());
        // SES's identity of the event, not the SNS message that carried it
        String snsMessageId = Fixtures.JSON.readTree(load(file).body()).get("MessageId").asText();
        assertTrue(event.providerEventId().startsWith("0100017a-ses-message-0001:" + providerType + ":" + recipient + ":"
                + event.occurredAt()), event.providerEventId());
        assertTrue(!event.providerEventId().contains(snsMessageId), event.providerEventId());
        assertEquals(FixtureWriter.CAMPAIGN, event.campaignId());
        assertEquals("A", event.variant());
        assertEquals(FixtureWriter.BATCH, event.batchId());
        assertEquals(CampaignRenderer.recipientKey(event.recipient()), event.recipientKey());
    }

    @Test
    void givenTheFixtures_thenTimesUrlsAndReasonsComeFromTheSesEvent() {
        assertEquals("https://www.example.com/offer", parse("webhook-ses-click.json").get(0).url());
        assertEquals(Instant.parse("2026-12-01T09:59:45Z"), parse("webhook-ses-click.json").get(0).occurredAt());
        assertEquals(Instant.parse("2026-12-01T09:59:00Z"), parse("webhook-ses-send.json").get(0).occurredAt());
        assertEquals("Permanent/General: smtp; 550 5.1.1 user unknown", parse("webhook-ses-bounce-permanent.json").get(0).detail());
        assertEquals("abuse", parse("webhook-ses-complaint.json").get(0).detail());
        assertEquals("Bad content", parse("webhook-ses-reject.json").get(0).detail());
        assertEquals("TransientCommunicationFailure", parse("webhook-ses-delivery-delay.json").get(0).detail());
        assertNull(parse("webhook-ses-open.json").get(0).url());
    }

    @Test
    void givenASubscriptionConfirmationForAnAllowedTopic_thenTheSubscribeUrlIsReturnedNotFetched() {
        WebhookResult result = webhook.receive(load("webhook-ses-subscription-confirmation.json"));

        assertTrue(result.isSubscriptionConfirmation());
        assertTrue(result.subscriptionConfirmUrl().startsWith(
                "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=" + FixtureWriter.TOPIC_ARN));
        assertEquals(List.of(), result.events());
    }

    @Test
    void givenAConfirmationOrNotificationFromAnotherTopic_thenRefusedBeforeAnyCertificateIsFetched() {
        SesSnsWebhook otherTopic = new SesSnsWebhook(Set.of("arn:aws:sns:us-east-1:123456789012:someone-else"),
                certificates, Fixtures.snsTrust(), Fixtures.fixtureClock());
        assertThrows(WebhookAuthenticationException.class,
                () -> otherTopic.receive(load("webhook-ses-subscription-confirmation.json")));
        assertThrows(WebhookAuthenticationException.class, () -> otherTopic.receive(load("webhook-ses-delivery.json")));
        assertEquals(0, certificates.fetches.get());
    }

    @Test
    void givenTheForgedCertificateUrlFixture_thenRefusedWithoutFetching() {
        var e = assertThrows(WebhookAuthenticationException.class, () -> parse("webhook-ses-forged-cert-url.json"));
        assertTrue(e.getMessage().contains("SigningCertURL"), e.getMessage());
        assertEquals(0, certificates.fetches.get());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://sns.us-east-1.amazonaws.com.attacker.example/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://attacker.example/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://s3.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://sns.us-east-1.amazonaws.com/attacker/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://sns.us-east-1.amazonaws.com/cert.pem",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem?x=1",
        "https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://sns.us-east-1.amazonaws.com@attacker.example/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://user@sns.us-east-1.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-../../x.pem",
        "https://sns..amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        // S3: the bucket "sns" (path-style and legacy regional hosts), not SNS
        "https://sns.s3.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://sns.s3-us-west-2.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://sns.s3-external-1.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://sns.s3.us-west-2.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        // other not-a-region labels, and China's regions only under .amazonaws.com.cn
        "https://sns.attacker.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://sns.cn-north-1.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://sns.us-east-1.amazonaws.com.cn/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://sns.us-east-1.amazonaws.com./SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://sns.us-east-1.amazonaws.com:443/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-not+hex.pem",
        "file:///SimpleNotificationService-1.pem",
        "not a url",
    })
    void givenACertificateUrlThatIsNotHttpsOnAnSnsHostWithTheSnsPath_thenRefused(String url) {
        assertThrows(WebhookAuthenticationException.class, () -> SesSnsWebhook.checkSigningCertUrl(url));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-01d088a6f77103d0fe307c0069e40ed6.pem",
        "https://SNS.us-west-2.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.ap-southeast-2.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://sns.eu-west-3.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        "https://sns.cn-northwest-1.amazonaws.com.cn/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
    })
    void givenRealSnsCertificateUrls_thenAccepted(String url) {
        assertDoesNotThrow(() -> SesSnsWebhook.checkSigningCertUrl(url));
    }

    @Test
    void givenAnyOneByteChangeInTheMessage_thenTheSignatureFails() throws Exception {
        WebhookRequest request = load("webhook-ses-delivery.json");
        String body = Fixtures.bodyOf(request);
        // Change the recipient inside the signed Message: still valid JSON, still a valid address.
        String tampered = body.replace("fixture.ada@example.com", "fixture.adb@example.com");
        assertTrue(!tampered.equals(body));
        assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(withBody(request, tampered)));
        String otherTime = body.replace("\"Timestamp\":\"2026-12-01T10:00:00.000Z\"", "\"Timestamp\":\"2026-12-01T10:00:01.000Z\"");
        assertTrue(!otherTime.equals(body));
        assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(withBody(request, otherTime)));
    }

    @Test
    void givenTheSignatureVersionSwapped_thenRefused() {
        WebhookRequest request = load("webhook-ses-notification-bounce.json");
        String v2 = Fixtures.bodyOf(request).replace("\"SignatureVersion\":\"1\"", "\"SignatureVersion\":\"2\"");
        assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(withBody(request, v2)));
        String v3 = Fixtures.bodyOf(request).replace("\"SignatureVersion\":\"1\"", "\"SignatureVersion\":\"3\"");
        assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(withBody(request, v3)));
    }

    @Test
    void givenASubjectAddedOrRemoved_thenRefused() {
        WebhookRequest withSubject = load("webhook-ses-notification-bounce.json");
        String removed = Fixtures.bodyOf(withSubject).replace("\"Subject\":\"Amazon SES Email Event Notification\",", "");
        assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(withBody(withSubject, removed)));
        WebhookRequest without = load("webhook-ses-delivery.json");
        String added = Fixtures.bodyOf(without).replace("\"Type\":\"Notification\",", "\"Type\":\"Notification\",\"Subject\":\"x\",");
        assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(withBody(without, added)));
    }

    @Test
    void givenASignatureOverTheCanonicalStringWithoutItsLastNewline_thenRefused() throws Exception {
        ObjectNode envelope = notification(sesDelivery(ADA));
        String canonical = SesSnsWebhook.stringToSign(envelope, "Notification");
        assertTrue(canonical.endsWith("\nType\nNotification\n"), canonical);

        envelope.put("Signature", sign(canonical, testKey(), "SHA256withRSA"));
        assertEquals(1, webhook.verifyAndParse(request(envelope)).size());
        envelope.put("Signature", sign(canonical.substring(0, canonical.length() - 1), testKey(), "SHA256withRSA"));
        assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(request(envelope)));
    }

    @Test
    void givenAMessageSignedByAnotherKey_thenRefused() throws Exception {
        var generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        PrivateKey other = generator.generateKeyPair().getPrivate();
        ObjectNode envelope = notification(sesDelivery(ADA));
        envelope.put("Signature", sign(SesSnsWebhook.stringToSign(envelope, "Notification"), other, "SHA256withRSA"));
        assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(request(envelope)));
    }

    @Test
    void givenMissingSignatureFields_thenRefusedAsMissing() throws Exception {
        ObjectNode envelope = signed(notification(sesDelivery(ADA)));
        envelope.remove("Signature");
        assertTrue(assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(request(envelope)))
                .credentialsMissing());
    }

    @Test
    void givenACertificateNotValidAtTheClocksTime_thenRefused() {
        SesSnsWebhook before = Fixtures.ses(certificates, Fixtures.clockAt(Instant.parse("2020-01-01T00:00:00Z")));
        var e = assertThrows(WebhookAuthenticationException.class, () -> before.verifyAndParse(load("webhook-ses-delivery.json")));
        assertTrue(e.getMessage().contains("not valid now"), e.getMessage());
    }

    @Test
    void givenTheCertificateCannotBeFetched_thenATemporaryFailureNotARefusal() {
        SesSnsWebhook offline = Fixtures.ses(url -> {
            throw new IOException("network down");
        }, Fixtures.fixtureClock());
        assertThrows(UncheckedIOException.class, () -> offline.verifyAndParse(load("webhook-ses-delivery.json")));
    }

    @Test
    void givenTheCertificateUrlHoldsNoCertificate_thenRefused() {
        SesSnsWebhook garbage = Fixtures.ses(url -> "not a certificate", Fixtures.fixtureClock());
        assertThrows(WebhookAuthenticationException.class, () -> garbage.verifyAndParse(load("webhook-ses-delivery.json")));
    }

    @Test
    void givenTheCachingSource_thenEachCertificateIsFetchedOnce_andFailuresAreNotCached() throws Exception {
        SesSnsWebhook cached = Fixtures.ses(new CachingCertificateSource(certificates), Fixtures.fixtureClock());
        cached.verifyAndParse(load("webhook-ses-delivery.json"));
        cached.verifyAndParse(load("webhook-ses-open.json"));
        cached.receive(load("webhook-ses-subscription-confirmation.json"));
        assertEquals(1, certificates.fetches.get());

        AtomicInteger calls = new AtomicInteger();
        CachingCertificateSource flaky = new CachingCertificateSource(url -> {
            if (calls.incrementAndGet() == 1) {
                throw new IOException("first fails");
            }
            return "pem";
        });
        var url = java.net.URI.create(FixtureWriter.CERT_URL);
        assertThrows(IOException.class, () -> flaky.pem(url));
        assertEquals("pem", flaky.pem(url));
        assertEquals("pem", flaky.pem(url));
        assertEquals(2, calls.get());
    }

    @Test
    void givenAMessageTypeHeaderThatContradictsTheBody_thenMalformed() {
        WebhookRequest request = withHeader(load("webhook-ses-delivery.json"), "x-amz-sns-message-type", "SubscriptionConfirmation");
        assertThrows(MalformedWebhookException.class, () -> webhook.verifyAndParse(request));
    }

    @Test
    void givenABodyThatIsNotAnSnsEnvelope_thenMalformed() {
        WebhookRequest request = load("webhook-ses-delivery.json");
        assertEquals("body", assertThrows(MalformedWebhookException.class,
                () -> webhook.verifyAndParse(withBody(request, "not json"))).field());
        assertEquals("Type", assertThrows(MalformedWebhookException.class,
                () -> webhook.verifyAndParse(withBody(withHeader(request, "x-amz-sns-message-type", null), "{}"))).field());
    }

    @Test
    void givenABodyOverTheLimit_thenTooLarge() {
        SesSnsWebhook small = new SesSnsWebhook(Set.of(FixtureWriter.TOPIC_ARN), certificates, Fixtures.snsTrust(), 1000,
                Fixtures.fixtureClock());
        assertThrows(WebhookTooLargeException.class, () -> small.verifyAndParse(load("webhook-ses-delivery.json")));
    }

    @Test
    void givenSignedMessagesWithBrokenSesJson_thenMalformedNamingTheField() throws Exception {
        assertEquals("Message", malformed("{\"eventType\":"));
        assertEquals("Message", malformed("{\"mail\":{}}"));
        assertEquals("Message.bounce.bouncedRecipients", malformed(
                "{\"eventType\":\"Bounce\",\"mail\":" + mail(BOB) + ",\"bounce\":{\"bounceType\":\"Permanent\",\"timestamp\":\"2026-12-01T09:59:00Z\"}}"));
        assertEquals("Message.bounce.bouncedRecipients[0].emailAddress", malformed(
                "{\"eventType\":\"Bounce\",\"mail\":" + mail(BOB) + ",\"bounce\":{\"bounceType\":\"Permanent\","
                        + "\"timestamp\":\"2026-12-01T09:59:00Z\",\"bouncedRecipients\":[{\"emailAddress\":\"nobody\"}]}}"));
        assertEquals("Message.mail.timestamp", malformed("{\"eventType\":\"Open\",\"mail\":{\"destination\":[\"" + ADA + "\"]},\"open\":{}}"));
        assertEquals("Message.click.link", malformed("{\"eventType\":\"Click\",\"mail\":" + mail(ADA) + ",\"click\":{}}"));
    }

    @Test
    void givenSesSetupMessagesAndUnknownTypes_thenAcknowledgedWithoutEventsOrAsOther() throws Exception {
        assertEquals(List.of(), webhook.verifyAndParse(request(signed(notification(
                "Successfully validated SNS topic for Amazon SES event publishing.")))));
        assertEquals(List.of(), webhook.verifyAndParse(request(signed(notification(
                "{\"notificationType\":\"AmazonSnsSubscriptionSucceeded\",\"message\":\"ok\"}")))));
        List<EngagementEvent> other = webhook.verifyAndParse(request(signed(notification(
                "{\"eventType\":\"SomethingNew\",\"mail\":" + mail(ADA) + "}"))));
        assertEquals(EngagementType.OTHER, other.get(0).type());
        assertEquals("SomethingNew", other.get(0).providerType());
    }

    @Test
    void givenABounceForTwoRecipients_thenOneEventEachWithItsOwnIdentity() throws Exception {
        String message = "{\"notificationType\":\"Bounce\",\"mail\":" + mail(ADA) + ",\"bounce\":{\"bounceType\":\"Undetermined\","
                + "\"bounceSubType\":\"Undetermined\",\"timestamp\":\"2026-12-01T09:59:00Z\",\"bouncedRecipients\":["
                + "{\"emailAddress\":\"" + ADA + "\"},{\"emailAddress\":\"\\\"Bob\\\" <" + BOB + ">\"}]}}";
        List<EngagementEvent> events = webhook.verifyAndParse(request(signed(notification(message))));
        assertEquals(List.of(ADA, BOB), events.stream().map(e -> e.recipient().value()).toList());
        assertEquals(List.of(EngagementType.SOFT_BOUNCED, EngagementType.SOFT_BOUNCED), events.stream().map(EngagementEvent::type).toList());
        assertTrue(!events.get(0).providerEventId().equals(events.get(1).providerEventId()));
    }

    @Test
    void givenOnlyTagsAsCorrelation_thenCampaignVariantAndBatchComeFromTags() throws Exception {
        String mail = "{\"timestamp\":\"2026-12-01T09:59:00Z\",\"messageId\":\"m-2\",\"destination\":[\"" + ADA + "\"],"
                + "\"tags\":{\"campaignId\":[\"cmp_tagged\"],\"variant\":[\"B\"],\"batchId\":[\"cmp_tagged-9\"]}}";
        EngagementEvent event = webhook.verifyAndParse(request(signed(notification(
                "{\"eventType\":\"Open\",\"mail\":" + mail + ",\"open\":{\"timestamp\":\"2026-12-01T09:59:10Z\"}}")))).get(0);
        assertEquals("cmp_tagged", event.campaignId());
        assertEquals("B", event.variant());
        assertEquals("cmp_tagged-9", event.batchId());
        assertNull(event.recipientKey());
    }

    @Test
    void givenAnUnsubscribeConfirmation_thenAcknowledgedWithNothingToDo() throws Exception {
        ObjectNode envelope = Fixtures.object();
        envelope.put("Type", "UnsubscribeConfirmation");
        envelope.put("MessageId", "47138184-6831-46b8-8f7c-afc488602d7d");
        envelope.put("Token", "2336412f37");
        envelope.put("TopicArn", FixtureWriter.TOPIC_ARN);
        envelope.put("Message", "You have chosen to deactivate subscription.");
        envelope.put("SubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=2336412f37");
        envelope.put("Timestamp", "2026-12-01T10:00:00.000Z");
        envelope.put("SignatureVersion", "2");
        envelope.put("SigningCertURL", FixtureWriter.CERT_URL);
        envelope.put("Signature", sign(SesSnsWebhook.stringToSign(envelope, "UnsubscribeConfirmation"), testKey(), "SHA256withRSA"));
        WebhookResult result = webhook.receive(request(envelope));
        assertEquals(List.of(), result.events());
        assertTrue(!result.isSubscriptionConfirmation());
    }

    @Test
    void givenAConfirmationWhoseSubscribeUrlIsNotSns_thenRefusedEvenWhenSigned() throws Exception {
        ObjectNode envelope = Fixtures.JSON.readValue(load("webhook-ses-subscription-confirmation.json").body(), ObjectNode.class);
        envelope.put("SubscribeURL", "https://attacker.example/?Action=ConfirmSubscription");
        envelope.put("Signature", sign(SesSnsWebhook.stringToSign(envelope, "SubscriptionConfirmation"), testKey(), "SHA256withRSA"));
        assertThrows(WebhookAuthenticationException.class, () -> webhook.receive(request(envelope)));
    }

    @Test
    void givenASignedMessagePublishedLongAgoOrInTheFuture_thenRefusedAsAReplay() throws Exception {
        ObjectNode old = notification(sesDelivery("fixture.ada@example.com"));
        old.put("Timestamp", FixtureWriter.SENT_AT.minus(SesSnsWebhook.MAX_AGE).minusSeconds(60).toString());
        WebhookAuthenticationException e = assertThrows(WebhookAuthenticationException.class,
                () -> webhook.receive(request(signed(old))));
        assertTrue(e.getMessage().contains("Timestamp"), e.getMessage());
        ObjectNode future = notification(sesDelivery("fixture.ada@example.com"));
        future.put("Timestamp", FixtureWriter.SENT_AT.plusSeconds(3600).toString());
        assertThrows(WebhookAuthenticationException.class, () -> webhook.receive(request(signed(future))));
        ObjectNode retried = notification(sesDelivery("fixture.ada@example.com"));
        retried.put("Timestamp", FixtureWriter.SENT_AT.minus(java.time.Duration.ofHours(90)).toString());
        assertEquals(1, webhook.receive(request(signed(retried))).events().size(), "a message redelivered days later still passes");
    }

    // ---- SES's own identity

    @Test
    void givenTheSameSesEventPublishedInTwoSnsMessages_thenBothCarryOneIdentity() throws Exception {
        ObjectNode first = notification(sesDelivery(ADA));
        ObjectNode again = notification(sesDelivery(ADA));
        again.put("MessageId", "5f8e2a4c-0000-4000-8000-republished01");
        again.put("Timestamp", "2026-12-01T10:00:05.000Z");
        EngagementEvent a = webhook.verifyAndParse(request(signed(first))).get(0);
        EngagementEvent b = webhook.verifyAndParse(request(signed(again))).get(0);

        assertEquals(a.providerEventId(), b.providerEventId());
        assertEquals(EngagementRecorder.eventKey(a), EngagementRecorder.eventKey(b));
        assertEquals(a.occurredAt(), b.occurredAt());
    }

    @Test
    void givenDifferentSesEvents_thenDifferentIdentities() throws Exception {
        EngagementEvent delivery = webhook.verifyAndParse(request(signed(notification(sesDelivery(ADA))))).get(0);
        // another event time (a second open of the same message), another message, another type
        String laterOpen = "{\"eventType\":\"Open\",\"mail\":" + mail(ADA) + ",\"open\":{\"timestamp\":\"2026-12-01T09:59:40.000Z\"}}";
        String earlierOpen = laterOpen.replace("09:59:40", "09:59:30");
        String otherMessage = sesDelivery(ADA).replace("\"m-1\"", "\"m-9\"");
        List<String> ids = new java.util.ArrayList<>();
        ids.add(delivery.providerEventId());
        for (String message : List.of(laterOpen, earlierOpen, otherMessage)) {
            ids.add(webhook.verifyAndParse(request(signed(notification(message)))).get(0).providerEventId());
        }
        assertEquals(4, Set.copyOf(ids).size(), ids.toString());
    }

    @Test
    void givenTwoClicksAtTheSameInstant_thenTheLinkKeepsThemApart_andTheSameClickAgainIsOne() throws Exception {
        String click = "{\"eventType\":\"Click\",\"mail\":" + mail(ADA) + ",\"click\":{\"timestamp\":"
                + "\"2026-12-01T09:59:45.000Z\",\"link\":\"https://www.example.com/a\"}}";
        String other = click.replace("/a\"", "/b\"");
        ObjectNode republished = notification(click);
        republished.put("MessageId", "5f8e2a4c-0000-4000-8000-republished02");
        String a = webhook.verifyAndParse(request(signed(notification(click)))).get(0).providerEventId();
        String b = webhook.verifyAndParse(request(signed(notification(other)))).get(0).providerEventId();
        String again = webhook.verifyAndParse(request(signed(republished))).get(0).providerEventId();
        assertTrue(!a.equals(b), a);
        assertEquals(a, again);
    }

    @Test
    void givenSesJsonWithoutItsMessageId_thenMalformed() throws Exception {
        assertEquals("Message.mail.messageId", malformed("{\"eventType\":\"Delivery\",\"mail\":{\"timestamp\":"
                + "\"2026-12-01T09:59:00.000Z\",\"destination\":[\"" + ADA + "\"]},\"delivery\":{\"timestamp\":"
                + "\"2026-12-01T09:59:01.000Z\",\"recipients\":[\"" + ADA + "\"]}}"));
    }

    // ---- the signing certificate must be SNS's

    @ParameterizedTest
    @ValueSource(strings = {"sns-test-untrusted-cert.pem", "sns-test-wrong-name-cert.pem"})
    void givenACertificateWithTheSigningKeyThatIsNotSnss_thenTheValidSignatureIsNotBelieved(String served) {
        // Both hold the key that signed the fixture (so the signature itself verifies): one names SNS but chains to
        // no trusted CA (anyone can make it), the other chains to the trusted CA but names another host.
        SesSnsWebhook webhook = Fixtures.ses(url -> Fixtures.resource(served), Fixtures.fixtureClock());
        var e = assertThrows(WebhookAuthenticationException.class,
                () -> webhook.verifyAndParse(load("webhook-ses-delivery.json")));
        assertTrue(e.getMessage().contains("certificate"), e.getMessage());
    }

    @Test
    void givenOnlyTheJdkTrustStore_thenTheLocallyMadeTestCertificateIsRefused() {
        SesSnsWebhook production = new SesSnsWebhook(Set.of(FixtureWriter.TOPIC_ARN), certificates,
                SnsCertificateTrust.jdkTrustStore(), Fixtures.fixtureClock());
        var e = assertThrows(WebhookAuthenticationException.class,
                () -> production.verifyAndParse(load("webhook-ses-delivery.json")));
        assertTrue(e.getMessage().contains("trusted CA"), e.getMessage());
    }

    // ---- helpers

    private String malformed(String message) throws Exception {
        WebhookRequest request = request(signed(notification(message)));
        return assertThrows(MalformedWebhookException.class, () -> webhook.verifyAndParse(request)).field();
    }

    private static String mail(String to) {
        return "{\"timestamp\":\"2026-12-01T09:59:00.000Z\",\"messageId\":\"m-1\",\"destination\":[\"" + to + "\"]}";
    }

    private static String sesDelivery(String to) {
        return "{\"eventType\":\"Delivery\",\"mail\":" + mail(to) + ",\"delivery\":{\"timestamp\":\"2026-12-01T09:59:01.000Z\","
                + "\"recipients\":[\"" + to + "\"]}}";
    }

    private static ObjectNode notification(String message) {
        ObjectNode envelope = Fixtures.object();
        envelope.put("Type", "Notification");
        envelope.put("MessageId", "5f8e2a4c-0000-4000-8000-" + String.format("%012d", Math.abs(message.hashCode())));
        envelope.put("TopicArn", FixtureWriter.TOPIC_ARN);
        envelope.put("Message", message);
        envelope.put("Timestamp", "2026-12-01T10:00:00.000Z");
        envelope.put("SignatureVersion", "2");
        envelope.put("SigningCertURL", FixtureWriter.CERT_URL);
        return envelope;
    }

    private static ObjectNode signed(ObjectNode envelope) throws Exception {
        envelope.put("Signature", sign(SesSnsWebhook.stringToSign(envelope, envelope.get("Type").asText()), testKey(), "SHA256withRSA"));
        return envelope;
    }

    private static PrivateKey testKey() throws Exception {
        return Fixtures.privateKey("sns-test-signing-key.pem", "RSA");
    }

    private static String sign(String canonical, PrivateKey key, String algorithm) throws Exception {
        Signature rsa = Signature.getInstance(algorithm);
        rsa.initSign(key);
        rsa.update(canonical.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(rsa.sign());
    }

    private static WebhookRequest request(ObjectNode envelope) throws Exception {
        return new WebhookRequest(Map.of("x-amz-sns-message-type", envelope.get("Type").asText(), "content-type", "text/plain"),
                Fixtures.JSON.writeValueAsBytes(envelope), Map.of(), FixtureWriter.SENT_AT);
    }
}
