package dev.dispatch.local.api;

import static dev.dispatch.local.LocalCloudExtension.call;
import static dev.dispatch.local.LocalCloudExtension.json;
import static dev.dispatch.local.LocalCloudExtension.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatch.emulators.LocalAws;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudExtension;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Secrets come from the local Secrets Manager (moto) as they come from AWS's: rotated there with PutSecretValue,
 * the running functions pick the new value up once the refresh interval has passed, with no restart. Each test
 * puts the secret's original value back before it ends (other test classes share the cloud).
 */
@ExtendWith(LocalCloudExtension.class)
class SecretsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A rotation must show within the refresh interval; this leaves room for a slow machine. */
    private static final Duration PICKED_UP_WITHIN = LocalCloudExtension.SECRETS_REFRESH_INTERVAL.plusSeconds(20);
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void givenAnApiKeyDigestIsAddedAndRemoved_thenTheKeyWorksAndStops_withoutAFunctionRestart(LocalCloud cloud, LocalAws aws) {
        String arn = aws.resources().secretArn("ApiKeyDigestsSecret");
        String original = value(aws, arn);
        List<Long> processes = cloud.function("ApiFunction").pids();
        String newKey = "rotated-key-" + run;
        assertEquals(401, stats(newKey));
        try {
            put(aws, arn, "{\"sha256\": [\"" + LocalCloud.sha256Hex(cloud.devApiKey()) + "\", \"" + LocalCloud.sha256Hex(newKey) + "\"]}");
            await(() -> stats(newKey) == 200, "the added API key to be accepted");
            assertEquals(200, stats(cloud.devApiKey()));

            put(aws, arn, original);
            await(() -> stats(newKey) == 401, "the removed API key to be refused");
            assertEquals(200, stats(cloud.devApiKey()));
        } finally {
            put(aws, arn, original);
        }
        assertEquals(processes, cloud.function("ApiFunction").pids(), "the function was restarted");
    }

    @Test
    void givenTheGenericWebhookSecretRotates_thenRequestsSignedWithTheNewSecretAreAccepted_andTheOldRefused(LocalCloud cloud,
            LocalAws aws) {
        String arn = aws.resources().secretArn("GenericWebhookHmacSecret");
        String original = value(aws, arn);
        List<Long> processes = cloud.function("ProcessWebhookFunction").pids();
        String newSecret = "rotated-generic-secret-" + run;
        String body = "[{\"id\":\"secrets-" + run + "\",\"type\":\"delivered\",\"email\":\"secrets-" + run
                + "@example.com\",\"timestamp\":\"2026-11-15T10:00:00Z\"}]";
        assertEquals(200, postGeneric(body, LocalCloudExtension.WEBHOOK_GENERIC_SECRET));
        try {
            put(aws, arn, "{\"secret\": \"" + newSecret + "\"}");
            await(() -> postGeneric(body, newSecret) == 200, "the rotated webhook secret to be accepted");
            assertEquals(403, postGeneric(body, LocalCloudExtension.WEBHOOK_GENERIC_SECRET));
        } finally {
            put(aws, arn, original);
        }
        await(() -> postGeneric(body, LocalCloudExtension.WEBHOOK_GENERIC_SECRET) == 200, "the original secret to be back");
        assertEquals(processes, cloud.function("ProcessWebhookFunction").pids(), "the function was restarted");
    }

    @Test
    void givenTheUnsubscribeKeyRotates_thenLinksAlreadySentStillWork_andUnknownOrTamperedLinksAreRefused(LocalAws aws)
            throws Exception {
        String arn = aws.resources().secretArn("UnsubscribeKeyringSecret");
        String original = value(aws, arn);
        JsonNode keyring = JSON.readTree(original);
        String currentId = keyring.get("current").asText();
        String currentKey = keyring.get(currentId).asText();
        String email = "keys-" + run + "@example.com";
        assertEquals(201, call("POST", "/subscribers", "{\"email\":\"" + email + "\",\"segments\":[\"keys-" + run + "\"]}").statusCode());

        // A link in a mailbox, signed with today's key, and one made before links carried a key id.
        String sent = token(currentId, currentKey, "cmp_keys", email);
        String legacyKey = "legacy-signing-key-" + UUID.randomUUID();
        String legacy = legacyToken(legacyKey, "cmp_keys", email);
        assertEquals(200, page(sent));
        assertEquals(400, page(legacy), "no legacy key in the keyring yet");

        String newKey = "new-signing-key-" + UUID.randomUUID();
        ObjectNode rotated = JSON.createObjectNode();
        rotated.put("current", "r2");
        rotated.put(currentId, currentKey);
        rotated.put("r2", newKey);
        rotated.put("legacy", legacyKey);
        try {
            put(aws, arn, JSON.writeValueAsString(rotated));
            String fresh = token("r2", newKey, "cmp_keys", email);
            await(() -> page(fresh) == 200, "the rotated keyring to be in use");

            assertEquals(200, page(sent), "a link signed with the previous key");
            assertEquals(200, page(legacy), "a link without a key id, verified with the legacy key");
            String[] parts = sent.split("\\.");
            assertEquals(400, page("k9." + parts[1] + "." + parts[2]), "unknown key id");
            assertEquals(400, page("r2." + parts[1] + "." + parts[2]), "another key's id");
            String otherPayload = b64(("cmp_keys\nsomeone-else-" + run + "@example.com").getBytes(StandardCharsets.UTF_8));
            assertEquals(400, page(parts[0] + "." + otherPayload + "." + parts[2]), "payload changed");
            assertEquals(400, page(token(currentId, "forged-key-of-an-attacker-32-bytes!", "cmp_keys", email)), "wrong key");

            HttpResponse<String> oneClick = send(LocalCloudExtension.request("/u/" + sent)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")).build());
            assertEquals(200, oneClick.statusCode(), oneClick.body());
            assertEquals("unsubscribed", json(call("GET", "/subscribers/" + URLEncoder.encode(email, StandardCharsets.UTF_8), null))
                    .get("status").asText());

            // Once the previous key is removed from the keyring, its links stop working.
            rotated.remove(currentId);
            put(aws, arn, JSON.writeValueAsString(rotated));
            await(() -> page(sent) == 400, "links of the removed key to be refused");
            assertEquals(200, page(fresh));
        } finally {
            put(aws, arn, original);
        }
        await(() -> page(sent) == 200, "the original keyring to be back");
    }

    // ------------------------------------------------------------------ helpers

    private static int stats(String key) {
        return send(LocalCloudExtension.request("/subscribers/stats").header("Authorization", "Bearer " + key).GET().build())
                .statusCode();
    }

    private static int page(String token) {
        return send(LocalCloudExtension.request("/u/" + token).GET().build()).statusCode();
    }

    private static int postGeneric(String body, String secret) {
        long t = LocalCloudExtension.WEBHOOK_VERIFY_AT.getEpochSecond();
        return send(LocalCloudExtension.request("/webhooks/generic").header("Content-Type", "application/json")
                .header("X-Dispatch-Signature", "t=" + t + ",v1=" + HexFormat.of().formatHex(
                        hmac(secret.getBytes(StandardCharsets.UTF_8), (t + "." + body).getBytes(StandardCharsets.UTF_8))))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build()).statusCode();
    }

    /** An unsubscribe token as the platform issues it: keyId "." b64(campaign \n email) "." b64(HMAC(key, keyId "." payload)). */
    private static String token(String keyId, String key, String campaign, String email) {
        String signed = keyId + "." + b64((campaign + "\n" + email).getBytes(StandardCharsets.UTF_8));
        return signed + "." + b64(hmac(key.getBytes(StandardCharsets.UTF_8), signed.getBytes(StandardCharsets.US_ASCII)));
    }

    /** A token in the format issued before key ids: b64(campaign \n email) "." b64(HMAC(key, payload)). */
    private static String legacyToken(String key, String campaign, String email) {
        byte[] payload = (campaign + "\n" + email).getBytes(StandardCharsets.UTF_8);
        return b64(payload) + "." + b64(hmac(key.getBytes(StandardCharsets.UTF_8), payload));
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String value(LocalAws aws, String arn) {
        return aws.secretsManager().getSecretValue(b -> b.secretId(arn)).secretString();
    }

    private static void put(LocalAws aws, String arn, String value) {
        aws.secretsManager().putSecretValue(b -> b.secretId(arn).secretString(value));
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + PICKED_UP_WITHIN.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + PICKED_UP_WITHIN + " waiting for " + what);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        assertFalse(Thread.currentThread().isInterrupted());
    }
}
