package dev.dispatch.local.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.dispatch.emulators.ProjectLayout;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudExtension;
import dev.dispatch.local.LocalFunction;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The packaged process-webhook under the prod profile, with every test-only switch set in its environment (under
 * their variable names and the names their properties would map to): none of them has any effect. The same
 * requests to the test cloud's own process-webhook (test profile) are the control.
 */
@ExtendWith(LocalCloudExtension.class)
class TestSwitchesProductionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Far from any real clock: a request signed then verifies only if the fixed verification clock is in force. */
    private static final Instant LONG_AGO = Instant.parse("2020-01-01T00:00:00Z");
    private static final List<String> CONFIRMATIONS = new CopyOnWriteArrayList<>();
    private static LocalFunction production;
    private static HttpServer sink;

    @BeforeAll
    static void start() throws Exception {
        LocalCloud cloud = LocalCloudExtension.cloud();
        sink = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        sink.createContext("/", exchange -> {
            try (exchange) {
                CONFIRMATIONS.add(exchange.getRequestURI().toString());
                exchange.sendResponseHeaders(200, -1);
            }
        });
        sink.start();
        String sinkUrl = "http://127.0.0.1:" + sink.getAddress().getPort();
        Path keys = ProjectLayout.root().resolve(LocalCloudExtension.WEBHOOK_TEST_KEYS);
        Path certificates = Files.createTempDirectory("prod-profile-certificates");
        Files.copy(keys.resolve("sns-test-signing-cert.pem"), certificates.resolve(LocalCloudExtension.WEBHOOK_SNS_CERT_FILE));

        Map<String, String> environment = new LinkedHashMap<>(cloud.localAws().awsEnvironment());
        environment.put("QUARKUS_PROFILE", "prod");
        Map<String, String> switches = Map.of(
                "VERIFY_AT", LONG_AGO.plusSeconds(30).toString(),
                "SNS_CONFIRM_BASE_URL", sinkUrl,
                "SNS_CERTIFICATE_DIR", certificates.toString(),
                "SNS_TEST_TRUST_ANCHOR", keys.resolve("sns-test-ca.pem").toString());
        switches.forEach((name, value) -> {
            environment.put(name.equals("VERIFY_AT") ? "WEBHOOK_VERIFY_AT" : name, value);
            environment.put("DISPATCH_WEBHOOKS_TEST_" + name, value);
            environment.put("DISPATCH_WEBHOOKS_" + name, value);
        });
        production = LocalFunction.start(cloud.function("ProcessWebhookFunction").spec(), environment,
                ProjectLayout.root().resolve("infra/local/target/prod-profile-function"), false);
        assertTrue(production.awaitReady(Duration.ofSeconds(60)), "did not start: see " + production.logFile());
    }

    @AfterAll
    static void stop() {
        if (production != null) {
            production.close();
        }
        if (sink != null) {
            sink.stop(0);
        }
    }

    private static int status(LocalFunction function, ObjectNode event) throws Exception {
        JsonNode answer = JSON.readTree(function.invoke(JSON.writeValueAsBytes(event)));
        return answer.get("statusCode").asInt();
    }

    @Test
    void givenTheFixedVerificationClockSet_whenProd_thenARequestSignedAtThatTimeIsStale() throws Exception {
        String body = "[{\"id\":\"prod-profile-1\",\"type\":\"delivered\",\"email\":\"prod.profile@example.com\","
                + "\"timestamp\":\"2019-12-31T23:00:00Z\"}]";
        assertEquals(403, status(production, generic(body, LONG_AGO)));
        // control: the test cloud's function verifies at its own fixed time, so a request signed then passes
        assertEquals(200, status(LocalCloudExtension.cloud().function("ProcessWebhookFunction"),
                generic(body, LocalCloudExtension.WEBHOOK_VERIFY_AT)));
    }

    @Test
    void givenTheCertificateFolderTrustAnchorAndConfirmationUrlSet_whenProd_thenNoneIsUsed() throws Exception {
        // signed with the test key at the fixed verification time: were the switches on, it would verify and be
        // confirmed at the sink
        ObjectNode confirmation = fixture("webhook-ses-subscription-confirmation.json");
        ((ObjectNode) confirmation.get("headers")).remove("content-length");
        confirmation.put("body", signedConfirmation(LONG_AGO));
        confirmation.put("isBase64Encoded", false);
        int answer = status(production, confirmation);
        // the certificate is fetched from SNS itself (unreachable here, or not SNS's test certificate): never the
        // folder, never believed through the test CA, and nothing is confirmed anywhere
        assertTrue(answer == 503 || answer == 403, "status " + answer);
        assertEquals(List.of(), CONFIRMATIONS);
    }

    /** An SNS SubscriptionConfirmation for the test topic, signed (version 2) with the test-only SNS key. */
    private static String signedConfirmation(Instant at) throws Exception {
        String topic = LocalCloudExtension.WEBHOOK_SES_TOPIC_ARN;
        Map<String, String> envelope = new LinkedHashMap<>();
        envelope.put("Type", "SubscriptionConfirmation");
        envelope.put("MessageId", "prod-profile-confirmation");
        envelope.put("Token", "prod-profile-token");
        envelope.put("TopicArn", topic);
        envelope.put("Message", "You have chosen to subscribe to the topic " + topic + ".");
        envelope.put("SubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=" + topic
                + "&Token=prod-profile-token");
        envelope.put("Timestamp", at.toString());
        envelope.put("SignatureVersion", "2");
        envelope.put("SigningCertURL", "https://sns.us-east-1.amazonaws.com/" + LocalCloudExtension.WEBHOOK_SNS_CERT_FILE);
        StringBuilder canonical = new StringBuilder();
        for (String field : List.of("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")) {
            canonical.append(field).append('\n').append(envelope.get(field)).append('\n');
        }
        String pem = Files.readString(ProjectLayout.root().resolve(LocalCloudExtension.WEBHOOK_TEST_KEYS)
                .resolve("sns-test-signing-key.pem")).replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s+", "");
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem))));
        rsa.update(canonical.toString().getBytes(StandardCharsets.UTF_8));
        envelope.put("Signature", Base64.getEncoder().encodeToString(rsa.sign()));
        return JSON.writeValueAsString(envelope);
    }

    private static ObjectNode fixture(String name) throws Exception {
        return (ObjectNode) JSON.readTree(ProjectLayout.root().resolve("events").resolve(name).toFile());
    }

    private static ObjectNode generic(String body, Instant signedAt) throws Exception {
        ObjectNode event = fixture("webhook-generic-events.json");
        ObjectNode headers = (ObjectNode) event.get("headers");
        headers.remove("content-length");
        long t = signedAt.getEpochSecond();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(LocalCloudExtension.WEBHOOK_GENERIC_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        headers.put("x-dispatch-signature", "t=" + t + ",v1="
                + HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8))));
        event.put("body", body);
        event.put("isBase64Encoded", false);
        return event;
    }
}
