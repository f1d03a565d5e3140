package dev.dispatch.local.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatch.emulators.LocalAws;
import dev.dispatch.emulators.ProjectLayout;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudExtension;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Provider webhooks end to end: the signed requests in events/webhook-*.json, sent as real HTTP requests through the
 * local HTTP API to the packaged process-webhook function, verified, queued on EngagementQueue and applied by
 * apply-engagement to the Engagement, Suppressions and Counters tables. The cloud verifies at
 * {@link LocalCloudExtension#WEBHOOK_VERIFY_AT}, 30 s after the fixtures were signed (see LocalCloudExtension).
 */
@ExtendWith(LocalCloudExtension.class)
class WebhooksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADA = "fixture.ada@example.com";
    private static final String BOB = "fixture.bob@example.com";
    /** Every fixture is signed on this day (UTC), so its events count in this day's provider stats. */
    private static final String FIXTURE_DAY = "2026-12-01";
    private static final String FIXTURE_CAMPAIGN = "cmp_fx7Kq2ZbW9mTn4Rd"; // FixtureWriter.CAMPAIGN
    private static final List<String> PROVIDERS = List.of("sendgrid", "ses", "postmark", "generic");
    /**
     * Fixtures that must be refused: a certificate URL on a host that is not SNS; and SendGrid's own published test
     * vector, signed in 2020 with SendGrid's key, which the stack neither trusts nor accepts as fresh.
     */
    private static final Map<String, Integer> REFUSED_FIXTURES = Map.of(
            "webhook-ses-forged-cert-url.json", 403,
            "webhook-sendgrid-dropped-test-vector.json", 403);
    /**
     * Events a fixture publishes again: webhook-ses-notification-delivery.json is the delivery of
     * webhook-ses-delivery.json (same SES message, recipient and delivery time) in SES's notification shape, so it
     * is accepted and changes nothing (SES events are keyed by what they are, not by the SNS message).
     */
    private static final Map<String, Integer> REPUBLISHED = Map.of("ses", 1);
    /** Written by the send path (send-batch counts by the real day), never by webhooks: left out of the comparisons. */
    private static final Set<String> SEND_PATH_COUNTERS = Set.of("n_sent", "n_errors");
    private static final Duration EFFECTS = Duration.ofSeconds(60);
    // The JDK client sets these itself and refuses them from callers.
    private static final Set<String> RESTRICTED_HEADERS = Set.of("host", "content-length", "connection", "expect", "upgrade");

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    // ------------------------------------------------------------------ fixtures

    @Test
    void givenEveryFixture_whenPosted_thenEachIsVerifiedQueuedAndApplied_andPostingThemAgainChangesNoCounter(LocalAws aws)
            throws Exception {
        List<String> files = fixtureFiles();
        assertTrue(files.size() >= 20, files.toString());
        int confirmationsBefore = LocalCloudExtension.snsConfirmations().size();
        // Other tests park a poison message there on purpose: only new dead letters would be this test's.
        int deadLettersBefore = queueDepth(aws, "EngagementDeadLetterQueue");

        // The campaign the fixtures were sent for (their correlation data names it), so its counters can move.
        aws.dynamoDb().putItem(b -> b.tableName(aws.resources().tableName("CampaignsTable"))
                .item(Map.of("id", s(FIXTURE_CAMPAIGN))).conditionExpression("attribute_not_exists(id)"));

        Map<String, Integer> received = postAll(files);
        // Every provider got through (the counts come from the function's own answers).
        PROVIDERS.forEach(p -> assertTrue(received.getOrDefault(p, 0) > 0, p + ": " + received));

        List<String> confirmations = LocalCloudExtension.snsConfirmations();
        assertEquals(confirmationsBefore + 1, confirmations.size(), confirmations.toString());
        String confirmation = confirmations.get(confirmations.size() - 1);
        assertTrue(confirmation.startsWith("GET /?Action=ConfirmSubscription&TopicArn="
                + LocalCloudExtension.WEBHOOK_SES_TOPIC_ARN + "&Token=2336412f37fb687f"), confirmation);

        // Effects: every event applied once, counted once per provider and day, the right addresses suppressed.
        awaitQueueDrained(aws);
        await("each provider's " + FIXTURE_DAY + " counters add up to the distinct events it accepted " + received,
                () -> PROVIDERS.stream().allMatch(p -> total(fixtureDayStats(aws).get(p))
                        == received.get(p) - REPUBLISHED.getOrDefault(p, 0)));
        // The generic fixture carries one event of each of its 13 types: each lands on its own counter, once.
        Map<String, Long> generic = fixtureDayStats(aws).get("generic");
        assertEquals(13, generic.size(), generic.toString());
        generic.forEach((name, n) -> assertEquals(1L, n, name));
        int accepted = received.values().stream().mapToInt(Integer::intValue).sum()
                - REPUBLISHED.values().stream().mapToInt(Integer::intValue).sum();
        List<Map<String, AttributeValue>> history = new ArrayList<>(fixtureDayHistory(aws, ADA));
        history.addAll(fixtureDayHistory(aws, BOB));
        assertEquals(accepted, history.size(), "one history item per accepted event");
        history.forEach(item -> assertEquals("applied", item.get("state").s(), item.toString()));
        assertEquals(Set.copyOf(PROVIDERS), Set.copyOf(history.stream().map(i -> i.get("provider").s()).toList()));
        assertEquals("bounced", suppression(aws, BOB).get("reason").s());
        assertTrue(Set.of("complained", "unsubscribed").contains(suppression(aws, ADA).get("reason").s()),
                suppression(aws, ADA).toString());
        assertEquals(deadLettersBefore, queueDepth(aws, "EngagementDeadLetterQueue"), "no engagement message failed for good");

        // The campaign's counters, per variant too: every type the campaigns count got there, unique recipients at
        // most the totals, and the variants' counters add up to the campaign's.
        Map<String, Long> campaign = campaignCounters(aws);
        for (String type : List.of("delivered", "opened", "clicked", "bounced", "softBounced", "complained", "unsubscribed")) {
            long total = campaign.getOrDefault(type, 0L);
            assertTrue(total > 0, type + ": " + campaign);
            String unique = "unique" + Character.toUpperCase(type.charAt(0)) + type.substring(1);
            assertTrue(campaign.getOrDefault(unique, 0L) > 0 && campaign.get(unique) <= total, unique + ": " + campaign);
            assertEquals(total, campaign.getOrDefault("variant.A." + type, 0L) + campaign.getOrDefault("variant.B." + type, 0L),
                    type + " split by variant: " + campaign);
        }

        // Providers retry, and a retry of an applied request must change nothing.
        Map<String, Map<String, Long>> before = fixtureDayStats(aws);
        Map<String, Integer> again = postAll(files);
        assertEquals(received, again);
        assertEquals(confirmationsBefore + 2, LocalCloudExtension.snsConfirmations().size());
        awaitQueueDrained(aws);
        Thread.sleep(5_000);
        awaitQueueDrained(aws);
        assertEquals(before, fixtureDayStats(aws));
        assertEquals(campaign, campaignCounters(aws));
        assertEquals(accepted, fixtureDayHistory(aws, ADA).size() + fixtureDayHistory(aws, BOB).size());
        assertEquals(deadLettersBefore, queueDepth(aws, "EngagementDeadLetterQueue"));
    }

    /** Posts every fixture and checks its status; the events each provider accepted, by provider name. */
    private static Map<String, Integer> postAll(List<String> files) throws IOException {
        Map<String, Integer> received = new TreeMap<>();
        for (String file : files) {
            ObjectNode event = fixture(file);
            HttpResponse<String> response = post(event);
            int expected = REFUSED_FIXTURES.getOrDefault(file, 200);
            assertEquals(expected, response.statusCode(), file + ": " + response.body());
            JsonNode body = JSON.readTree(response.body());
            if (expected != 200) {
                assertTrue(body.hasNonNull("error"), file + ": " + response.body());
            } else if (file.equals("webhook-ses-subscription-confirmation.json")) {
                assertTrue(body.path("subscriptionConfirmed").asBoolean(), response.body());
            } else {
                assertTrue(body.path("received").asInt() > 0, file + ": " + response.body());
                received.merge(provider(event), body.get("received").asInt(), Integer::sum);
            }
        }
        return received;
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void givenRequestsThatCannotBeTrusted_thenEachIsRefusedWithItsStatus_andNothingOfThemIsRecorded(LocalAws aws)
            throws Exception {
        long now = LocalCloudExtension.WEBHOOK_VERIFY_AT.getEpochSecond();
        Map<String, String> refused = new LinkedHashMap<>();

        // generic: the body changed after signing, no signature, signed an hour before or after the verify time
        String signed = genericBody(address("signed"), "gen-signed-" + run);
        String tampered = genericBody(address("tampered"), "gen-signed-" + run);
        refused.put("tampered", expect(403, postGeneric(tampered, genericSignature(now - 5, signed))));
        refused.put("unsigned", expect(401, postGeneric(genericBody(address("unsigned"), "gen-unsigned-" + run), null)));
        String stale = genericBody(address("stale"), "gen-stale-" + run);
        refused.put("stale", expect(403, postGeneric(stale, genericSignature(now - 3600, stale))));
        String future = genericBody(address("future"), "gen-future-" + run);
        refused.put("future", expect(403, postGeneric(future, genericSignature(now + 3600, future))));
        String malformed = "[{\"id\":\"gen-malformed-" + run + "\",\"email\":\"" + address("malformed") + "\"";
        HttpResponse<String> badJson = postGeneric(malformed, genericSignature(now, malformed));
        refused.put("malformed", expect(400, badJson));
        assertEquals("body", JSON.readTree(badJson.body()).path("field").asText(), badJson.body());
        String large = genericBody(address("large"), "gen-large-" + run).replace("]", " ".repeat(1024 * 1024) + "]");
        refused.put("large", expect(413, postGeneric(large, genericSignature(now, large))));
        // a request that is well formed and fresh but names a field wrongly is malformed too, with the field named
        String missingType = "[{\"id\":\"gen-notype-" + run + "\",\"email\":\"" + address("notype") + "\",\"timestamp\":\"2026-11-15T10:00:00Z\"}]";
        HttpResponse<String> noType = postGeneric(missingType, genericSignature(now, missingType));
        refused.put("notype", expect(400, noType));
        assertEquals("[0].type", JSON.readTree(noType.body()).path("field").asText(), noType.body());

        // SendGrid: the fixture with another address in its body; without its signature; freshly signed but stale
        refused.put("sg-tampered", expect(403, post(withAddress(fixture("webhook-sendgrid-events.json"), ADA, address("sg-tampered")))));
        ObjectNode unsignedSendGrid = withAddress(fixture("webhook-sendgrid-events.json"), ADA, address("sg-unsigned"));
        ((ObjectNode) unsignedSendGrid.get("headers")).remove("x-twilio-email-event-webhook-signature");
        refused.put("sg-unsigned", expect(401, post(unsignedSendGrid)));
        String sendGridStale = "[{\"email\":\"" + address("sg-stale") + "\",\"timestamp\":" + (now - 3600)
                + ",\"event\":\"delivered\",\"sg_event_id\":\"sg-stale-" + run + "\"}]";
        refused.put("sg-stale", expect(403, send(LocalCloudExtension.request("/webhooks/sendgrid")
                .header("Content-Type", "application/json")
                .header("X-Twilio-Email-Event-Webhook-Timestamp", Long.toString(now - 3600))
                .header("X-Twilio-Email-Event-Webhook-Signature", sendGridSignature(now - 3600, sendGridStale))
                .POST(HttpRequest.BodyPublishers.ofString(sendGridStale)).build())));

        // SES through SNS: another address in the signed Message; the Signature removed
        refused.put("ses-tampered", expect(403, post(withAddress(fixture("webhook-ses-delivery.json"), ADA, address("ses-tampered")))));
        ObjectNode unsignedSes = withAddress(fixture("webhook-ses-delivery.json"), ADA, address("ses-unsigned"));
        ObjectNode envelope = (ObjectNode) JSON.readTree(unsignedSes.get("body").asText());
        envelope.remove("Signature");
        unsignedSes.put("body", JSON.writeValueAsString(envelope));
        refused.put("ses-unsigned", expect(401, post(unsignedSes)));

        // Postmark (unsigned bodies, so only the credentials count): none, a wrong password, a wrong token
        ObjectNode noCredentials = withAddress(fixture("webhook-postmark-delivery.json"), ADA, address("pm-none"));
        ((ObjectNode) noCredentials.get("headers")).remove("authorization");
        HttpResponse<String> challenge = post(noCredentials);
        refused.put("pm-none", expect(401, challenge));
        assertEquals("Basic realm=\"webhooks\"", challenge.headers().firstValue("www-authenticate").orElse(null));
        ObjectNode wrongPassword = withAddress(fixture("webhook-postmark-delivery.json"), ADA, address("pm-password"));
        ((ObjectNode) wrongPassword.get("headers")).put("authorization", "Basic " + Base64.getEncoder().encodeToString(
                (LocalCloudExtension.WEBHOOK_POSTMARK_USER + ":wrong-password").getBytes(StandardCharsets.UTF_8)));
        refused.put("pm-password", expect(403, post(wrongPassword)));
        ObjectNode wrongToken = withAddress(fixture("webhook-postmark-open.json"), ADA, address("pm-token"));
        ((ObjectNode) wrongToken.get("headers")).put(LocalCloudExtension.WEBHOOK_POSTMARK_TOKEN_HEADER.toLowerCase(Locale.ROOT), "wrong-token");
        refused.put("pm-token", expect(403, post(wrongToken)));

        // The control: a valid request sent last. Once it is applied, anything queued before it would be too.
        String control = address("control");
        String controlBody = genericBody(control, "gen-control-" + run);
        assertEquals("{\"received\":1}", expect(200, postGeneric(controlBody, genericSignature(now - 1, controlBody))));
        await("the control event is applied", () -> history(aws, control).stream().anyMatch(i -> "applied".equals(i.get("state").s())));
        awaitQueueDrained(aws);
        refused.forEach((name, answer) -> {
            assertTrue(answer.contains("\"error\""), name + ": " + answer);
            assertEquals(List.of(), history(aws, address(name)), name + " must leave no history");
            assertTrue(suppressionItem(aws, address(name)).isEmpty(), name + " must suppress nothing");
        });
        assertTrue(history(aws, address("signed")).isEmpty(), "the signed original was never sent");
    }

    @Test
    void givenAnUnknownProvider_then404_fromTheGatewayAndFromTheFunctionItself(LocalCloud cloud) throws Exception {
        ObjectNode event = fixture("webhook-generic-events.json");
        event.put("rawPath", "/webhooks/mailgun");
        event.put("routeKey", "POST /webhooks/mailgun");
        ((ObjectNode) event.get("requestContext").get("http")).put("path", "/webhooks/mailgun");
        ((ObjectNode) event.get("requestContext")).put("routeKey", "POST /webhooks/mailgun");
        assertEquals(404, post(event).statusCode(), "the HTTP API has no such route");
        JsonNode answer = JSON.readTree(cloud.function("ProcessWebhookFunction")
                .invoke(JSON.writeValueAsBytes(event)));
        assertEquals(404, answer.get("statusCode").asInt(), answer.toString());
        assertTrue(JSON.readTree(answer.get("body").asText()).get("error").asText().contains("generic"), answer.toString());
    }

    // ------------------------------------------------------------------ SES republishing

    @Test
    void givenOneSesEventPublishedAgainInANewSnsMessage_thenItIsAppliedOnce(LocalAws aws) throws Exception {
        // SES may publish one event more than once, each time in a new SNS message: new MessageId, new Timestamp,
        // both properly signed. What the event is (SES message id, type, recipient, event time) makes it one.
        String email = address("ses-republished");
        String day = "2026-11-17"; // a day of its own, so its counters are this test's
        String message = "{\"eventType\":\"Delivery\",\"mail\":{\"timestamp\":\"" + day + "T08:00:00.000Z\","
                + "\"messageId\":\"0100017a-republished-" + run + "\",\"source\":\"news@example.com\","
                + "\"destination\":[\"" + email + "\"]},\"delivery\":{\"timestamp\":\"" + day + "T08:00:01.000Z\","
                + "\"recipients\":[\"" + email + "\"],\"smtpResponse\":\"250 2.6.0 Message received\"}}";
        long before = total(dayStats(aws, day, "ses"));
        Instant now = LocalCloudExtension.WEBHOOK_VERIFY_AT;
        List<String> messageIds = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());
        for (int i = 0; i < messageIds.size(); i++) {
            String envelope = snsNotification(messageIds.get(i), message, now.minusSeconds(20 - 10L * i));
            HttpResponse<String> response = send(LocalCloudExtension.request("/webhooks/amazon-ses")
                    .header("Content-Type", "text/plain; charset=UTF-8")
                    .header("x-amz-sns-message-type", "Notification")
                    .POST(HttpRequest.BodyPublishers.ofString(envelope)).build());
            assertEquals("{\"received\":1}", expect(200, response), "publication " + (i + 1));
            if (i == 0) {
                await("the first publication is applied",
                        () -> history(aws, email).stream().anyMatch(h -> "applied".equals(h.get("state").s())));
            }
        }
        awaitQueueDrained(aws);
        Thread.sleep(2_000);
        awaitQueueDrained(aws);

        List<Map<String, AttributeValue>> history = history(aws, email);
        assertEquals(1, history.size(), history.toString());
        assertEquals("applied", history.get(0).get("state").s());
        assertEquals(before + 1, total(dayStats(aws, day, "ses")), "counted once");
    }

    /** An SNS Notification envelope signed (version 2) with the test-only key behind the fixtures' certificate. */
    private static String snsNotification(String messageId, String message, Instant timestamp) throws Exception {
        Map<String, String> envelope = new LinkedHashMap<>();
        envelope.put("Type", "Notification");
        envelope.put("MessageId", messageId);
        envelope.put("TopicArn", LocalCloudExtension.WEBHOOK_SES_TOPIC_ARN);
        envelope.put("Message", message);
        envelope.put("Timestamp", timestamp.toString());
        envelope.put("SignatureVersion", "2");
        envelope.put("SigningCertURL", "https://sns.us-east-1.amazonaws.com/" + LocalCloudExtension.WEBHOOK_SNS_CERT_FILE);
        String canonical = "Message\n" + message + "\nMessageId\n" + messageId + "\nTimestamp\n" + timestamp
                + "\nTopicArn\n" + LocalCloudExtension.WEBHOOK_SES_TOPIC_ARN + "\nType\nNotification\n";
        String pem = Files.readString(ProjectLayout.root().resolve(LocalCloudExtension.WEBHOOK_TEST_KEYS)
                .resolve("sns-test-signing-key.pem")).replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s+", "");
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update(canonical.getBytes(StandardCharsets.UTF_8));
        envelope.put("Signature", Base64.getEncoder().encodeToString(rsa.sign()));
        return JSON.writeValueAsString(envelope);
    }

    /** A provider's engagement counters of one UTC day ({@code delivery-stats}, {@code <day>#<provider>}). */
    private static Map<String, Long> dayStats(LocalAws aws, String day, String provider) {
        Map<String, Long> counts = new TreeMap<>();
        aws.dynamoDb().getItem(b -> b.tableName(aws.resources().tableName("CountersTable"))
                .key(Map.of("pk", s("delivery-stats"), "sk", s(day + "#" + provider))).consistentRead(true)).item()
                .forEach((name, value) -> {
                    // the per-recipient-domain counters (n_domain.<group>.<counter>) repeat the totals: compared apart
                if (name.startsWith("n_") && !SEND_PATH_COUNTERS.contains(name) && !name.startsWith("n_domain.")) {
                        counts.put(name, Long.parseLong(value.n()));
                    }
                });
        return counts;
    }

    // ------------------------------------------------------------------ requests

    private String address(String name) {
        return "webhook." + name + "-" + run + "@example.com";
    }

    private static List<String> fixtureFiles() throws IOException {
        try (Stream<Path> files = Files.list(ProjectLayout.root().resolve("events"))) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("webhook-") && n.endsWith(".json")).sorted().toList();
        }
    }

    private static ObjectNode fixture(String file) throws IOException {
        return (ObjectNode) JSON.readTree(ProjectLayout.root().resolve("events").resolve(file).toFile());
    }

    /** The fixture with every occurrence of one address in its body replaced (its signature no longer matches). */
    private static ObjectNode withAddress(ObjectNode event, String from, String to) {
        assertTrue(event.get("body").asText().contains(from));
        event.put("body", event.get("body").asText().replace(from, to));
        return event;
    }

    /** "sendgrid", "ses", "postmark" or "generic": the provider name the events of this route carry. */
    private static String provider(JsonNode event) {
        String route = event.get("rawPath").asText().substring("/webhooks/".length());
        return route.equals("amazon-ses") ? "ses" : route;
    }

    /** The API Gateway v2 event as the HTTP request that would have produced it, sent through the local gateway. */
    private static HttpResponse<String> post(JsonNode event) {
        String query = event.path("rawQueryString").asText("");
        HttpRequest.Builder request = LocalCloudExtension.request(event.get("rawPath").asText() + (query.isEmpty() ? "" : "?" + query));
        event.path("headers").fields().forEachRemaining(h -> {
            if (!RESTRICTED_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                request.header(h.getKey(), h.getValue().asText());
            }
        });
        String body = event.path("body").asText("");
        byte[] bytes = event.path("isBase64Encoded").asBoolean() ? Base64.getDecoder().decode(body)
                : body.getBytes(StandardCharsets.UTF_8);
        return send(request.method(event.path("requestContext").path("http").path("method").asText("POST"),
                HttpRequest.BodyPublishers.ofByteArray(bytes)).build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        return LocalCloudExtension.send(request);
    }

    private static HttpResponse<String> postGeneric(String body, String signature) {
        HttpRequest.Builder request = LocalCloudExtension.request("/webhooks/generic").header("Content-Type", "application/json");
        if (signature != null) {
            request.header("X-Dispatch-Signature", signature);
        }
        return send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** The status must be {@code status}; returns the body. */
    private static String expect(int status, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        return response.body();
    }

    /** One generic event for {@code email}, on a day of its own so it never touches the fixtures' day counters. */
    private static String genericBody(String email, String id) {
        return "[{\"id\":\"" + id + "\",\"type\":\"delivered\",\"email\":\"" + email + "\",\"timestamp\":\"2026-11-15T10:00:00Z\"}]";
    }

    /** {@code X-Dispatch-Signature} for a body signed at unix time {@code t}, as a sender computes it. */
    private static String genericSignature(long t, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(LocalCloudExtension.WEBHOOK_GENERIC_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
    }

    /** SendGrid's signature (ECDSA P-256 over timestamp + body) with the test-only signing key. */
    private static String sendGridSignature(long t, String body) throws Exception {
        String pem = Files.readString(ProjectLayout.root().resolve(LocalCloudExtension.WEBHOOK_TEST_KEYS)
                .resolve("sendgrid-test-signing-key.pem")).replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s+", "");
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        Signature ecdsa = Signature.getInstance("SHA256withECDSA");
        ecdsa.initSign(key);
        ecdsa.update((t + body).getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(ecdsa.sign());
    }

    // ------------------------------------------------------------------ effects

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    /** The address's engagement history items (all days). */
    private static List<Map<String, AttributeValue>> history(LocalAws aws, String email) {
        return aws.dynamoDb().query(b -> b.tableName(aws.resources().tableName("EngagementTable"))
                .keyConditionExpression("pk = :pk AND begins_with(sk, :evt)")
                .expressionAttributeValues(Map.of(":pk", s("sub#" + email), ":evt", s("evt#")))
                .consistentRead(true)).items();
    }

    /** History items of events that happened on the fixtures' day (other tests may post other days' events). */
    private static List<Map<String, AttributeValue>> fixtureDayHistory(LocalAws aws, String email) {
        return history(aws, email).stream().filter(i -> i.get("occurredAt").s().startsWith(FIXTURE_DAY)).toList();
    }

    private static Map<String, AttributeValue> suppressionItem(LocalAws aws, String email) {
        return aws.dynamoDb().getItem(b -> b.tableName(aws.resources().tableName("SuppressionsTable"))
                .key(Map.of("email", s(email))).consistentRead(true)).item();
    }

    private static Map<String, AttributeValue> suppression(LocalAws aws, String email) {
        Map<String, AttributeValue> item = suppressionItem(aws, email);
        if (item.isEmpty()) {
            fail(email + " is not suppressed");
        }
        return item;
    }

    /**
     * The webhook providers' engagement counters of the fixtures' day ({@code delivery-stats}, {@code <day>#<provider>}),
     * by provider. The send path's counters are left out: it counts by the real day, which may be this one.
     */
    private static Map<String, Map<String, Long>> fixtureDayStats(LocalAws aws) {
        Map<String, Map<String, Long>> stats = new TreeMap<>();
        for (String provider : PROVIDERS) {
            Map<String, AttributeValue> item = aws.dynamoDb().getItem(b -> b.tableName(aws.resources().tableName("CountersTable"))
                    .key(Map.of("pk", s("delivery-stats"), "sk", s(FIXTURE_DAY + "#" + provider))).consistentRead(true)).item();
            Map<String, Long> counts = new TreeMap<>();
            item.forEach((name, value) -> {
                // the per-recipient-domain counters (n_domain.<group>.<counter>) repeat the totals: compared apart
                if (name.startsWith("n_") && !SEND_PATH_COUNTERS.contains(name) && !name.startsWith("n_domain.")) {
                    counts.put(name, Long.parseLong(value.n()));
                }
            });
            stats.put(provider, counts);
        }
        return stats;
    }

    private static long total(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private static int queueDepth(LocalAws aws, String queue) {
        Map<QueueAttributeName, String> attributes = aws.sqs().getQueueAttributes(b -> b
                .queueUrl(aws.resources().queueUrl(queue))
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return attributes.values().stream().mapToInt(Integer::parseInt).sum();
    }

    /** Waits until EngagementQueue has had nothing waiting or in flight for 2 s in a row. */
    /** The fixtures' campaign's counters ({@code n_<name>} on its item). */
    private static Map<String, Long> campaignCounters(LocalAws aws) {
        Map<String, Long> counters = new TreeMap<>();
        aws.dynamoDb().getItem(b -> b.tableName(aws.resources().tableName("CampaignsTable"))
                .key(Map.of("id", s(FIXTURE_CAMPAIGN))).consistentRead(true)).item().forEach((name, value) -> {
                    if (name.startsWith("n_")) {
                        counters.put(name.substring(2), Long.parseLong(value.n()));
                    }
                });
        return counters;
    }

    private static void awaitQueueDrained(LocalAws aws) throws InterruptedException {
        Instant deadline = Instant.now().plus(EFFECTS);
        int emptyChecks = 0;
        while (emptyChecks < 5) {
            emptyChecks = queueDepth(aws, "EngagementQueue") == 0 ? emptyChecks + 1 : 0;
            if (Instant.now().isAfter(deadline)) {
                fail("EngagementQueue still holds " + queueDepth(aws, "EngagementQueue") + " messages after " + EFFECTS.toSeconds() + " s");
            }
            Thread.sleep(400);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(EFFECTS);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("not within " + EFFECTS.toSeconds() + " s: " + what);
            }
            Thread.sleep(500);
        }
    }
}
