package dev.dispatch.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.dispatch.emulators.Dnsmasq;
import dev.dispatch.emulators.LocalAws;
import dev.dispatch.emulators.ProjectLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One {@link LocalCloud} per test JVM for end-to-end tests: started lazily by the first test class that uses it,
 * shared by all others, closed when the JVM exits (no orphan processes).
 *
 * <pre>{@code
 * @ExtendWith(LocalCloudExtension.class)
 * class SubscribersEndToEndTest {
 *     @Test
 *     void health() throws Exception {
 *         HttpResponse<String> r = LocalCloudExtension.get("/health");
 *         assertEquals(200, r.statusCode());
 *     }
 *
 *     @Test
 *     void direct(LocalCloud cloud, LocalAws aws) { ... } // injected
 * }
 * }</pre>
 *
 * <p>The test cloud listens on a free port, receives SQS messages with a 1 s visibility timeout (failed messages
 * are retried within seconds and reach their dead-letter queue quickly), and does not fire schedules by itself
 * (use {@link LocalCloud#fireSchedule}). Override with system properties {@code dispatch.local.*} (see
 * {@link LocalCloudOptions#defaults()}); the dev API key comes from {@code DISPATCH_DEV_API_KEY} or is random.
 *
 * <p>Secrets are read from the Secrets Manager stand-in (moto) as in AWS, and re-read every
 * {@link #SECRETS_REFRESH_INTERVAL}.
 *
 * <p>Webhooks: the cloud is configured with the test-only keys and credentials the {@code events/webhook-*.json}
 * fixtures were made with (see {@code FixtureWriter} in shared's tests), runs the functions under the Quarkus test
 * profile (the only one in which test-only switches work), verifies at {@link #WEBHOOK_VERIFY_AT} (just after the
 * fixtures were signed, so they verify), reads the SNS test certificate from a folder instead of fetching it and
 * trusts the test-only CA that issued it, and sends SNS subscription confirmations to a local sink
 * ({@link #snsConfirmations()}).
 */
public final class LocalCloudExtension implements BeforeAllCallback, ParameterResolver {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalCloud cloud;
    private static RuntimeException startFailure;
    /** The webhook verification clock of the test cloud: 30 s after the fixtures were signed. */
    public static final Instant WEBHOOK_VERIFY_AT = Instant.parse("2026-12-01T10:00:30Z");
    // The values events/webhook-*.json were made with (shared's FixtureWriter): test-only, not secrets.
    public static final String WEBHOOK_SES_TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:dispatch-ses-events";
    public static final String WEBHOOK_SNS_CERT_FILE = "SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem";
    public static final String WEBHOOK_POSTMARK_USER = "postmark-hook";
    public static final String WEBHOOK_POSTMARK_PASSWORD = "fixture-password-not-a-secret";
    public static final String WEBHOOK_POSTMARK_TOKEN_HEADER = "X-Dispatch-Webhook-Token";
    public static final String WEBHOOK_POSTMARK_TOKEN = "fixture-token-not-a-secret";
    public static final String WEBHOOK_GENERIC_SECRET = "fixture-generic-secret-not-a-secret";
    /** How old a secret's value may get in the test cloud's functions before they read it again. */
    public static final Duration SECRETS_REFRESH_INTERVAL = Duration.ofSeconds(2);
    /** Where the test-only webhook keys and certificate live, under the project root. */
    public static final String WEBHOOK_TEST_KEYS = "shared/webhooks/src/test/resources/webhooks";

    private static final List<String> SNS_CONFIRMATIONS = new CopyOnWriteArrayList<>();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /**
     * A real DNS server (dnsmasq) for the api function's sender checks: example.com, the tests' From domain, is set
     * up as a careful sender would (SPF -all, a DKIM key at s1, DMARC reject); stopped when the JVM exits.
     */
    private static Dnsmasq startDns() {
        Dnsmasq dns = Dnsmasq.start(Map.of(
                "example.com", List.of("v=spf1 include:amazonses.com include:sendgrid.net include:spf.mtasv.net -all"),
                "s1._domainkey.example.com", List.of("v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC1TaNgLlSyQMNWVLNLvyY/neDgaL2oqQE8T5illKqCgDtFHc8eHVAU+nlcaGmrKmDMw9dbgiGk1ocgZ56NR4ycfUHwQhvQPMUZw0cveel/8EAGoi/UyPmqfcPibytH81NFtTMAxUeM4Op8A6iHkvAMj5qLf4YRNsTkKAKW3OkwPQIDAQAB"),
                "_dmarc.example.com", List.of("v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com")));
        Runtime.getRuntime().addShutdownHook(new Thread(dns::close, "dnsmasq-stop"));
        return dns;
    }

    /** dev.dispatch.adapter.metrics.AwsCallCounter.ENV: the folder every function writes its AWS call counts to. */
    public static final String AWS_CALL_COUNTS_ENV = "DISPATCH_COUNT_AWS_CALLS";

    /** Where this JVM's functions write their AWS call counts ({@code <function name>-<pid>.counts}). */
    public static Path awsCallCountsDir() {
        return ProjectLayout.root().resolve("infra/local/target/local-cloud/aws-call-counts/pid-" + ProcessHandle.current().pid());
    }

    /** The shared cloud, started on first use. */
    public static synchronized LocalCloud cloud() {
        if (startFailure != null) {
            throw new IllegalStateException("The local cloud failed to start earlier in this JVM", startFailure);
        }
        if (cloud == null) {
            LocalCloudOptions options = LocalCloudOptions.defaults();
            if (System.getProperty("dispatch.local.port") == null) {
                options.port(0);
            }
            if (System.getProperty("dispatch.local.sqsVisibilityTimeout") == null) {
                options.sqsVisibilityTimeoutSeconds(1);
            }
            if (System.getProperty("dispatch.local.schedules") == null) {
                options.schedulesEnabled(false);
            }
            if (System.getProperty("dispatch.local.logDir") == null) {
                // one folder per test JVM: several builds may run end-to-end tests at once
                options.logDir(ProjectLayout.root().resolve("infra/local/target/local-cloud/test-logs/pid-"
                        + ProcessHandle.current().pid()));
            }
            // Every function counts its AWS calls into this JVM's folder (AwsCallCounter), so that a test can show
            // what a request costs (ReportsApiTest: a report's reads).
            options.environment(AWS_CALL_COUNTS_ENV, awsCallCountsDir().toString());
            // Secrets are re-read this often (5 minutes in the template), so a test can watch a rotation arrive.
            options.environment("DISPATCH_SECRETS_REFRESH_INTERVAL", SECRETS_REFRESH_INTERVAL.toSeconds() + "S");
            try {
                configureWebhooks(options);
                options.environment("CONTENT_DNS_SERVER", startDns().address());
                cloud = LocalCloud.start(options); // registers its own JVM shutdown hook
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return cloud;
    }

    /**
     * Template parameters and environment that let the process-webhook function verify the recorded fixtures:
     * the test profile, the test keys, a fixed verification clock (WEBHOOK_VERIFY_AT: it switches replay protection
     * off), the SNS test certificate from a folder with its test-only CA trusted, and confirmations to a local sink.
     */
    private static void configureWebhooks(LocalCloudOptions options) {
        Path keys = ProjectLayout.root().resolve(WEBHOOK_TEST_KEYS);
        try {
            // SendGrid's setting is the base64 DER body of the PEM, as SendGrid's console shows it.
            String sendGridKey = Files.readString(keys.resolve("sendgrid-test-public-key.pem"), StandardCharsets.US_ASCII)
                    .replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s+", "");
            options.parameter("SendGridWebhookPublicKey", sendGridKey);
            Path certificates = Files.createTempDirectory("dispatch-sns-certificates");
            Path certificate = Files.copy(keys.resolve("sns-test-signing-cert.pem"), certificates.resolve(WEBHOOK_SNS_CERT_FILE));
            certificate.toFile().deleteOnExit();
            certificates.toFile().deleteOnExit();
            options.environment("SNS_CERTIFICATE_DIR", certificates.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the webhook test keys from " + keys, e);
        }
        options.parameter("SesWebhookTopicArns", WEBHOOK_SES_TOPIC_ARN);
        options.secret("PostmarkWebhookSecret", "{\"user\": \"" + WEBHOOK_POSTMARK_USER + "\", \"password\": \""
                + WEBHOOK_POSTMARK_PASSWORD + "\", \"token\": \"" + WEBHOOK_POSTMARK_TOKEN + "\"}");
        options.secret("GenericWebhookHmacSecret", "{\"secret\": \"" + WEBHOOK_GENERIC_SECRET + "\"}");
        // The switches below exist under the test profile only (process-webhook's TestSwitches); the template never
        // selects it (TemplateTest), so a deployed function ignores them even when they are set.
        options.environment("QUARKUS_PROFILE", "test");
        options.environment("SNS_TEST_TRUST_ANCHOR", keys.resolve("sns-test-ca.pem").toString());
        options.environment("WEBHOOK_VERIFY_AT", WEBHOOK_VERIFY_AT.toString());
        options.environment("SNS_CONFIRM_BASE_URL", startSnsConfirmationSink().toString());
    }

    /** Answers 200 to every request and remembers its method, path and query, in place of SNS's ConfirmSubscription. */
    private static URI startSnsConfirmationSink() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                try (exchange) {
                    if (SNS_CONFIRMATIONS.size() < 1000) {
                        SNS_CONFIRMATIONS.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
                    }
                    byte[] answer = "<ConfirmSubscriptionResponse/>".getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, answer.length);
                    exchange.getResponseBody().write(answer);
                }
            });
            server.setExecutor(Executors.newSingleThreadExecutor(r -> {
                Thread thread = new Thread(r, "sns-confirmation-sink");
                thread.setDaemon(true);
                return thread;
            }));
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0), "sns-confirmation-sink-stop"));
            return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the SNS confirmation sink", e);
        }
    }

    /** Every request the SNS confirmation sink received, as {@code "GET /path?query"}, oldest first. */
    public static List<String> snsConfirmations() {
        cloud();
        return List.copyOf(SNS_CONFIRMATIONS);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cloud();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
        Class<?> type = parameter.getParameter().getType();
        return type == LocalCloud.class || type == LocalAws.class || type == HttpClient.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
        Class<?> type = parameter.getParameter().getType();
        if (type == LocalCloud.class) {
            return cloud();
        }
        if (type == LocalAws.class) {
            return localAws();
        }
        if (type == HttpClient.class) {
            return http();
        }
        throw new ParameterResolutionException("Cannot resolve " + type);
    }

    /** The HTTP API's base URL, e.g. {@code http://127.0.0.1:41234}. */
    public static URI apiUrl() {
        return cloud().apiUrl();
    }

    /** The API base URL plus {@code path}. */
    public static URI apiUrl(String path) {
        return cloud().apiUrl(path);
    }

    /** The dev API key (its SHA-256 is in the ApiKeyDigestsSecret the functions read). */
    public static String devApiKey() {
        return cloud().devApiKey();
    }

    public static LocalAws localAws() {
        return cloud().localAws();
    }

    /** A shared HTTP/1.1 client. */
    public static HttpClient http() {
        return HTTP;
    }

    /** A request builder for {@code path} on the API, with a 35 s timeout (above API Gateway's 30 s). */
    public static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(apiUrl(path)).timeout(Duration.ofSeconds(35));
    }

    public static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    public static HttpResponse<String> postJson(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** An API call with the dev API key and a JSON body (or none). */
    public static HttpResponse<String> call(String method, String path, String jsonBody) {
        return send(request(path)
                .header("Authorization", "Bearer " + devApiKey())
                .header("Content-Type", "application/json")
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody))
                .build());
    }

    /** The response's body as JSON; a body that isn't fails the test, showing it. */
    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    /** The mail aws-ses-v2-local received for addresses containing {@code marker}, by recipient address. */
    public static Map<String, List<JsonNode>> sesMessagesTo(String marker)
            throws IOException, InterruptedException {
        HttpResponse<String> store = HTTP.send(HttpRequest.newBuilder(localAws().sesEndpoint().resolve("/store")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, List<JsonNode>> byRecipient = new HashMap<>();
        for (JsonNode email : JSON.readTree(store.body()).get("emails")) {
            for (JsonNode to : email.path("destination").path("to")) {
                String address = to.asText().replaceAll(".*<([^>]+)>.*", "$1");
                if (address.contains(marker)) {
                    byRecipient.computeIfAbsent(address, a -> new ArrayList<>()).add(email);
                }
            }
        }
        return byRecipient;
    }
}
