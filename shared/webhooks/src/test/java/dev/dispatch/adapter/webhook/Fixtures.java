package dev.dispatch.adapter.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatch.domain.engagement.WebhookRequest;
import dev.dispatch.emulators.ProjectLayout;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** Loads the events/webhook-*.json requests and the test-only keys; builds webhooks configured as the fixtures expect. */
final class Fixtures {
    static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {}

    static Path eventsDir() {
        return ProjectLayout.root().resolve("events");
    }

    static List<String> webhookFixtures() {
        try (Stream<Path> files = Files.list(eventsDir())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("webhook-") && n.endsWith(".json"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The API Gateway v2 event as the request the handler will hand over. */
    static WebhookRequest load(String file) {
        try {
            JsonNode event = JSON.readTree(eventsDir().resolve(file).toFile());
            Map<String, String> headers = new LinkedHashMap<>();
            event.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
            String body = event.path("body").asText("");
            byte[] bytes = event.path("isBase64Encoded").asBoolean()
                    ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
            Map<String, String> query = new HashMap<>();
            String raw = event.path("rawQueryString").asText("");
            for (String pair : raw.isEmpty() ? new String[0] : raw.split("&")) {
                int eq = pair.indexOf('=');
                query.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
            Instant receivedAt = Instant.ofEpochMilli(event.path("requestContext").path("timeEpoch").asLong());
            return new WebhookRequest(headers, bytes, query, receivedAt);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String bodyOf(WebhookRequest request) {
        return new String(request.body(), StandardCharsets.UTF_8);
    }

    static WebhookRequest withBody(WebhookRequest request, byte[] body) {
        return new WebhookRequest(request.headers(), body, request.queryParameters(), request.receivedAt());
    }

    static WebhookRequest withBody(WebhookRequest request, String body) {
        return withBody(request, body.getBytes(StandardCharsets.UTF_8));
    }

    static WebhookRequest withHeader(WebhookRequest request, String name, String value) {
        Map<String, String> headers = new HashMap<>(request.headers());
        headers.keySet().removeIf(n -> n.equalsIgnoreCase(name));
        if (value != null) {
            headers.put(name, value);
        }
        return new WebhookRequest(headers, request.body(), request.queryParameters(), request.receivedAt());
    }

    /** The same bytes with one byte changed at {@code index}. */
    static byte[] flipOneByte(byte[] body, int index) {
        byte[] copy = body.clone();
        copy[index] = (byte) (copy[index] == 'a' ? 'b' : 'a');
        return copy;
    }

    static Clock clockAt(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    static Clock fixtureClock() {
        return clockAt(FixtureWriter.SENT_AT);
    }

    static String resource(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/webhooks/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource webhooks/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PrivateKey privateKey(String name, String algorithm) throws Exception {
        String pem = resource(name).replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s+", "");
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
    }

    static String sendGridTestPublicKey() {
        return resource("sendgrid-test-public-key.pem");
    }

    /** Serves the test certificate for the fixtures' SigningCertURL only, and counts the fetches. */
    static final class TestCertificates implements CertificateSource {
        final AtomicInteger fetches = new AtomicInteger();

        @Override
        public String pem(URI url) throws IOException {
            fetches.incrementAndGet();
            if (!url.toString().equals(FixtureWriter.CERT_URL)) {
                throw new IOException("no certificate at " + url);
            }
            return resource("sns-test-signing-cert.pem");
        }
    }

    static SendGridWebhook sendGrid(Clock clock) {
        return new SendGridWebhook(sendGridTestPublicKey(), clock);
    }

    static SesSnsWebhook ses(CertificateSource certificates, Clock clock) {
        return new SesSnsWebhook(Set.of(FixtureWriter.TOPIC_ARN), certificates, snsTrust(), clock);
    }

    /** The JDK's trust store plus the test-only CA that issued {@code sns-test-signing-cert.pem}. */
    static SnsCertificateTrust snsTrust() {
        return SnsCertificateTrust.jdkTrustStore().withAdditionalAnchors(List.of(certificate("sns-test-ca.pem")));
    }

    static X509Certificate certificate(String resource) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(resource(resource).getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    static PostmarkWebhook postmark() {
        return new PostmarkWebhook(FixtureWriter.POSTMARK_USER, FixtureWriter.POSTMARK_PASSWORD,
                FixtureWriter.POSTMARK_TOKEN_HEADER, FixtureWriter.POSTMARK_TOKEN, 1024 * 1024);
    }

    static GenericWebhook generic(Clock clock) {
        return new GenericWebhook(FixtureWriter.GENERIC_SECRET, clock);
    }

    /** A JSON object node to build SNS envelopes in tests. */
    static ObjectNode object() {
        return JSON.createObjectNode();
    }
}
