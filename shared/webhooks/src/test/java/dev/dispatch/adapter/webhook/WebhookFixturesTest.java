package dev.dispatch.adapter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dispatch.domain.engagement.ProviderWebhook;
import dev.dispatch.domain.engagement.WebhookAuthenticationException;
import dev.dispatch.domain.engagement.WebhookResult;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every events/webhook-*.json request goes through its provider's adapter as the handler will receive it. */
class WebhookFixturesTest {

    static List<String> fixtures() {
        return Fixtures.webhookFixtures();
    }

    @Test
    void givenTheEventsDirectory_thenEachProviderHasFixtures() {
        List<String> files = fixtures();
        for (String provider : new String[] {"sendgrid", "ses", "postmark", "generic"}) {
            assertTrue(files.stream().anyMatch(f -> f.startsWith("webhook-" + provider + "-")), provider);
        }
        assertTrue(files.size() >= 25, files.toString());
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void givenEachFixture_whenPostedToItsRoute_thenVerifiedAndParsed_orRefusedIfItIsAFailingTwin(String file) throws Exception {
        JsonNode event = Fixtures.JSON.readTree(Files.readString(Fixtures.eventsDir().resolve(file)));
        assertEquals("2.0", event.get("version").asText());
        assertFalse(event.get("isBase64Encoded").asBoolean());
        String route = event.get("routeKey").asText();
        ProviderWebhook webhook = switch (route) {
            case "POST /webhooks/sendgrid" -> file.contains("test-vector")
                    ? new SendGridWebhook(FixtureWriter.SENDGRID_VECTOR_PUBLIC_KEY, Fixtures.clockAt(Instant.ofEpochSecond(1600112502)))
                    : Fixtures.sendGrid(Fixtures.fixtureClock());
            case "POST /webhooks/amazon-ses" -> Fixtures.ses(new Fixtures.TestCertificates(), Fixtures.fixtureClock());
            case "POST /webhooks/postmark" -> Fixtures.postmark();
            case "POST /webhooks/generic" -> Fixtures.generic(Fixtures.fixtureClock());
            default -> throw new AssertionError("unexpected route " + route);
        };
        assertTrue(file.startsWith("webhook-" + webhook.provider() + "-"), file);
        var request = Fixtures.load(file);
        assertEquals(event.get("body").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                Integer.parseInt(request.header("content-length")), "content-length of " + file);
        if (file.contains("forged")) {
            assertThrows(WebhookAuthenticationException.class, () -> webhook.receive(request));
            return;
        }
        WebhookResult result = webhook.receive(request);
        assertTrue(result.isSubscriptionConfirmation() || !result.events().isEmpty(), file);
        result.events().forEach(e -> assertEquals(webhook.provider(), e.provider()));
    }
}
