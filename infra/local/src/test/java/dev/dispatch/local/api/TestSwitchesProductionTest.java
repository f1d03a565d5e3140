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
import java.time.Instant;
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
        ObjectNode confirmation = fixture("webhook-ses-subscription-confirmation.json");
        int answer = status(production, confirmation);
        // the certificate is fetched from SNS itself (unreachable here, or not SNS's test certificate): never the
        // folder, never believed through the test CA, and nothing is confirmed anywhere
        assertTrue(answer == 503 || answer == 403, "status " + answer);
        assertEquals(List.of(), CONFIRMATIONS);
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
