package dev.dispatch.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.webhook.WebhookIntake.Provider;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class WebhookSettingsTest {
    private static final String SENDGRID_KEY = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7"
            + "dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
    private static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:dispatch-ses-events";

    private static Map<String, Provider> routes(WebhookSettings settings) {
        List<Provider> providers = settings.providers(Clock.systemUTC(), url -> {
            throw new java.io.IOException("unused");
        }, dev.dispatch.adapter.webhook.SnsCertificateTrust.jdkTrustStore());
        return providers.stream().collect(Collectors.toMap(Provider::route, Function.identity()));
    }

    private static WebhookSettings settings(String key, String topics, String user, String password, String token,
            String secret) {
        return new WebhookSettings(key, topics, user, password, "X-Dispatch-Webhook-Token", token, secret,
                Duration.ofMinutes(5), 1024 * 1024);
    }

    @Test
    void givenNothingSet_thenEveryRouteExistsAndNamesItsMissingSetting() {
        Map<String, Provider> routes = routes(settings(null, " ", "", null, null, ""));
        assertEquals(List.of("amazon-ses", "generic", "postmark", "sendgrid"), routes.keySet().stream().sorted().toList());
        assertTrue(routes.get("sendgrid").unavailable().startsWith("SENDGRID_WEBHOOK_PUBLIC_KEY"));
        assertTrue(routes.get("amazon-ses").unavailable().startsWith("SES_WEBHOOK_TOPIC_ARNS"));
        assertTrue(routes.get("postmark").unavailable().contains("PostmarkWebhookSecret"));
        assertTrue(routes.get("generic").unavailable().startsWith("GenericWebhookHmacSecret"));
    }

    @Test
    void givenEverythingSet_thenEveryRouteIsReady() {
        Map<String, Provider> routes = routes(settings(SENDGRID_KEY, TOPIC + ", " + TOPIC.replace("events", "other"),
                "hook", "password", "token", "a-generic-secret-of-some-length"));
        routes.values().forEach(p -> assertNotNull(p.webhook(), p.route()));
        assertEquals("ses", routes.get("amazon-ses").webhook().provider());
    }

    @Test
    void givenHalfACredentialPairOrAnInvalidValue_thenThatRouteSaysWhich() {
        Map<String, Provider> routes = routes(settings("not-a-key", TOPIC, "hook", null, null, "short"));
        assertEquals("PostmarkWebhookSecret (POSTMARK_WEBHOOK_SECRET_ARN) \"password\" (the Basic credentials need both "
                + "user and password) is not set",
                routes.get("postmark").unavailable());
        assertTrue(routes.get("sendgrid").unavailable().contains("is not valid"));
        assertTrue(routes.get("generic").unavailable().contains("is not valid"));
        assertNotNull(routes.get("amazon-ses").webhook());
        // the token alone is enough, half a pair beside it is only warned about
        assertNull(routes(settings(null, null, "hook", null, "token", null)).get("postmark").unavailable());
    }
}
