package dev.dispatch.adapter.webhook;

import static dev.dispatch.adapter.webhook.Fixtures.load;
import static dev.dispatch.adapter.webhook.Fixtures.withBody;
import static dev.dispatch.adapter.webhook.Fixtures.withHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PostmarkWebhookTest {
    private final PostmarkWebhook webhook = Fixtures.postmark();

    private EngagementEvent only(String file) {
        List<EngagementEvent> events = webhook.verifyAndParse(load(file));
        assertEquals(1, events.size());
        return events.get(0);
    }

    @ParameterizedTest
    @CsvSource({
        "webhook-postmark-delivery.json, DELIVERED, fixture.ada@example.com, Delivery, A",
        "webhook-postmark-bounce-hard.json, BOUNCED, fixture.bob@example.com, Bounce/HardBounce, B",
        "webhook-postmark-bounce-soft.json, SOFT_BOUNCED, fixture.bob@example.com, Bounce/SoftBounce, B",
        "webhook-postmark-spam-complaint.json, COMPLAINED, fixture.ada@example.com, SpamComplaint/SpamComplaint, A",
        "webhook-postmark-open.json, OPENED, fixture.ada@example.com, Open, A",
        "webhook-postmark-click.json, CLICKED, fixture.ada@example.com, Click, A",
        "webhook-postmark-subscription-change.json, UNSUBSCRIBED, fixture.ada@example.com, SubscriptionChange, A",
    })
    void givenEachFixture_whenReceived_thenItsTypeRecipientAndMetadataCorrelation(String file, EngagementType type,
            String recipient, String providerType, String variant) {
        EngagementEvent event = only(file);
        assertEquals(type, event.type());
        assertEquals(recipient, event.recipient().value());
        assertEquals(providerType, event.providerType());
        assertEquals("postmark", event.provider());
        assertEquals(FixtureWriter.CAMPAIGN, event.campaignId());
        assertEquals(variant, event.variant());
        assertEquals(FixtureWriter.BATCH, event.batchId());
        assertEquals(dev.dispatch.adapter.render.CampaignRenderer.recipientKey(event.recipient()), event.recipientKey());
        assertTrue(event.providerEventId().startsWith(providerType.split("/")[0] + ":"), event.providerEventId());
        assertTrue(event.providerEventId().contains(":" + recipient), event.providerEventId());
    }

    @Test
    void givenTheFixtures_thenTimesIdentitiesAndLinksAreRead() {
        assertEquals(Instant.parse("2026-12-01T09:59:03Z"), only("webhook-postmark-bounce-soft.json").occurredAt());
        assertEquals("Bounce:4323372036854775807:fixture.bob@example.com", only("webhook-postmark-bounce-hard.json").providerEventId());
        assertEquals("Delivery:883953f4-6105-42a2-a16a-77a8eac79483:fixture.ada@example.com",
                only("webhook-postmark-delivery.json").providerEventId());
        assertEquals("https://www.example.com/offer", only("webhook-postmark-click.json").url());
        assertTrue(only("webhook-postmark-bounce-hard.json").detail().startsWith("HardBounce: The server was unable"));
    }

    @Test
    void givenTwoOpensOfOneMessage_thenTwoIdentities_andARetryOfOneKeepsItsIdentity() {
        WebhookRequest first = load("webhook-postmark-open.json");
        String body = Fixtures.bodyOf(first);
        WebhookRequest second = withBody(first, body.replace("2026-12-01T09:59:40.0000000Z", "2026-12-01T10:05:00.0000000Z"));
        String a = webhook.verifyAndParse(first).get(0).providerEventId();
        assertNotEquals(a, webhook.verifyAndParse(second).get(0).providerEventId());
        assertEquals(a, webhook.verifyAndParse(load("webhook-postmark-open.json")).get(0).providerEventId());
    }

    @Test
    void givenAWrongPassword_thenRefused_andWithoutCredentialsMissing() {
        WebhookRequest wrong = withHeader(load("webhook-postmark-delivery.json"), "Authorization", basic(FixtureWriter.POSTMARK_USER, "guess"));
        var refused = assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(wrong));
        assertFalse(refused.credentialsMissing());
        WebhookRequest none = withHeader(load("webhook-postmark-delivery.json"), "Authorization", null);
        assertTrue(assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(none)).credentialsMissing());
        for (String garbage : new String[] {"Basic", "Basic !!!", "Bearer x", basic(FixtureWriter.POSTMARK_USER + "x", FixtureWriter.POSTMARK_PASSWORD),
                basic(FixtureWriter.POSTMARK_USER, FixtureWriter.POSTMARK_PASSWORD + "x"), basic("", "")}) {
            WebhookRequest request = withHeader(load("webhook-postmark-delivery.json"), "Authorization", garbage);
            assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(request), garbage);
        }
    }

    @Test
    void givenAWrongHeaderToken_thenRefused() {
        WebhookRequest wrong = withHeader(load("webhook-postmark-open.json"), FixtureWriter.POSTMARK_TOKEN_HEADER, "nope");
        assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(wrong));
        WebhookRequest prefix = withHeader(load("webhook-postmark-open.json"), FixtureWriter.POSTMARK_TOKEN_HEADER,
                FixtureWriter.POSTMARK_TOKEN.substring(0, 5));
        assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(prefix));
    }

    @Test
    void givenOnlyBasicConfigured_thenAHeaderTokenIsNotEnough() {
        PostmarkWebhook basicOnly = PostmarkWebhook.basicAuth(FixtureWriter.POSTMARK_USER, FixtureWriter.POSTMARK_PASSWORD);
        assertEquals(1, basicOnly.verifyAndParse(load("webhook-postmark-delivery.json")).size());
        assertTrue(assertThrows(WebhookAuthenticationException.class,
                () -> basicOnly.verifyAndParse(load("webhook-postmark-open.json"))).credentialsMissing());
        PostmarkWebhook tokenOnly = PostmarkWebhook.headerToken(FixtureWriter.POSTMARK_TOKEN_HEADER, FixtureWriter.POSTMARK_TOKEN);
        assertEquals(1, tokenOnly.verifyAndParse(load("webhook-postmark-open.json")).size());
        assertThrows(WebhookAuthenticationException.class, () -> tokenOnly.verifyAndParse(load("webhook-postmark-delivery.json")));
        assertThrows(IllegalArgumentException.class, () -> new PostmarkWebhook(null, null, null, null, 1000));
    }

    @Test
    void givenAWrongBasicAndARightToken_thenAccepted_butNotTheOtherWayWithBothWrong() {
        WebhookRequest both = withHeader(withHeader(load("webhook-postmark-delivery.json"), "Authorization", basic("x", "y")),
                FixtureWriter.POSTMARK_TOKEN_HEADER, FixtureWriter.POSTMARK_TOKEN);
        assertEquals(1, webhook.verifyAndParse(both).size());
        WebhookRequest bothWrong = withHeader(both, FixtureWriter.POSTMARK_TOKEN_HEADER, "nope");
        assertThrows(WebhookAuthenticationException.class, () -> webhook.verifyAndParse(bothWrong));
    }

    @Test
    void givenAMalformedBodyWithGoodCredentials_thenMalformedNamingTheField() {
        WebhookRequest request = load("webhook-postmark-delivery.json");
        assertEquals("body", assertThrows(MalformedWebhookException.class, () -> webhook.verifyAndParse(withBody(request, "[]"))).field());
        assertEquals("body", assertThrows(MalformedWebhookException.class, () -> webhook.verifyAndParse(withBody(request, "{"))).field());
        assertEquals("RecordType", assertThrows(MalformedWebhookException.class,
                () -> webhook.verifyAndParse(withBody(request, "{\"Recipient\":\"a@example.com\"}"))).field());
        assertEquals("DeliveredAt", assertThrows(MalformedWebhookException.class, () -> webhook.verifyAndParse(withBody(request,
                "{\"RecordType\":\"Delivery\",\"MessageID\":\"m\",\"Recipient\":\"a@example.com\",\"DeliveredAt\":\"yesterday\"}"))).field());
        assertEquals("Email", assertThrows(MalformedWebhookException.class, () -> webhook.verifyAndParse(withBody(request,
                "{\"RecordType\":\"Bounce\",\"ID\":1,\"Type\":\"HardBounce\",\"BouncedAt\":\"2026-12-01T09:59:02Z\"}"))).field());
    }

    @Test
    void givenAnUnusedRecordType_thenOtherOrNothing_neverAnError() {
        WebhookRequest request = load("webhook-postmark-delivery.json");
        List<EngagementEvent> inbound = webhook.verifyAndParse(withBody(request,
                "{\"RecordType\":\"SomethingNew\",\"MessageID\":\"m\",\"Recipient\":\"a@example.com\",\"ReceivedAt\":\"2026-12-01T09:59:02Z\"}"));
        assertEquals(EngagementType.OTHER, inbound.get(0).type());
        assertEquals(List.of(), webhook.verifyAndParse(withBody(request, "{\"RecordType\":\"Inbound\"}")));
    }

    @Test
    void givenASuppressionCausedByAHardBounce_thenNotCountedAsAnUnsubscribe() {
        WebhookRequest request = load("webhook-postmark-subscription-change.json");
        String body = Fixtures.bodyOf(request).replace("ManualSuppression", "HardBounce");
        assertEquals(EngagementType.OTHER, webhook.verifyAndParse(withBody(request, body)).get(0).type());
        String resumed = Fixtures.bodyOf(request).replace("\"SuppressSending\":true", "\"SuppressSending\":false");
        assertEquals(EngagementType.OTHER, webhook.verifyAndParse(withBody(request, resumed)).get(0).type());
    }

    @ParameterizedTest
    @CsvSource({
        "HardBounce, BOUNCED", "BadEmailAddress, BOUNCED", "ManuallyDeactivated, BOUNCED",
        "SoftBounce, SOFT_BOUNCED", "Transient, SOFT_BOUNCED", "DnsError, SOFT_BOUNCED", "SpamNotification, SOFT_BOUNCED",
        "Blocked, SOFT_BOUNCED", "DMARCPolicy, SOFT_BOUNCED", "Unknown, SOFT_BOUNCED", "SMTPApiError, SOFT_BOUNCED",
        "Unsubscribe, UNSUBSCRIBED", "SpamComplaint, COMPLAINED", "TemplateRenderingFailed, RENDERING_FAILURE",
        "AutoResponder, OTHER", "AddressChange, OTHER", "Subscribe, OTHER", "ChallengeVerification, OTHER",
    })
    void givenEachPostmarkBounceType_thenClassifiedByPostmarksOwnMeaning(String type, EngagementType expected) {
        assertEquals(expected, PostmarkWebhook.bounceType(type));
    }

    @Test
    void givenABodyOverTheLimit_thenTooLargeEvenWithoutCredentials() {
        PostmarkWebhook small = new PostmarkWebhook("u", "p", null, null, 10);
        assertThrows(WebhookTooLargeException.class, () -> small.verifyAndParse(
                new WebhookRequest(Map.of(), new byte[11], Map.of(), Instant.EPOCH)));
    }

    @Test
    void givenATagButNoMetadata_thenTheTagIsTheCampaign() {
        WebhookRequest request = load("webhook-postmark-delivery.json");
        EngagementEvent event = webhook.verifyAndParse(withBody(request, "{\"RecordType\":\"Delivery\",\"MessageID\":\"m\","
                + "\"Recipient\":\"a@example.com\",\"DeliveredAt\":\"2026-12-01T09:59:02Z\",\"Tag\":\"cmp_tag\"}")).get(0);
        assertEquals("cmp_tag", event.campaignId());
        assertNull(event.variant());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
