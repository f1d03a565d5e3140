package dev.dispatch.emulators;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * SES stand-in: npm {@code aws-ses-v2-local} as a child process on 127.0.0.1 and a free port. {@code GET /store}
 * lists the mail "sent", {@code POST /clear-store} empties it. Only v2 SendEmail/SendBulkEmail, v1
 * SendEmail/SendRawEmail and v2 GetAccount answer: other v1 actions hang, so give SES clients an apiCallTimeout.
 */
public final class SesLocal implements AutoCloseable {

    /** The account GetAccount (v2) returns: production access, sending enabled, a generous quota. */
    public static final String DEFAULT_ACCOUNT_JSON = "{\"DedicatedIpAutoWarmupEnabled\":false,"
            + "\"Details\":{\"AdditionalContactEmailAddresses\":[],\"ContactLanguage\":\"EN\",\"MailType\":\"MARKETING\","
            + "\"ReviewDetails\":{\"CaseId\":\"local\",\"Status\":\"GRANTED\"},\"UseCaseDescription\":\"Local development\","
            + "\"WebsiteURL\":\"http://localhost\"},\"EnforcementStatus\":\"HEALTHY\",\"ProductionAccessEnabled\":true,"
            + "\"SendingEnabled\":true,\"SendQuota\":{\"Max24HourSend\":1000000,\"MaxSendRate\":1000,\"SentLast24Hours\":0},"
            + "\"SuppressionAttributes\":{\"SuppressedReasons\":[\"BOUNCE\",\"COMPLAINT\"]}}";

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final NodeProcess process;

    private SesLocal(NodeProcess process) {
        this.process = process;
    }

    public static SesLocal start() {
        return start(ProjectLayout.infraDir());
    }

    /** With the node_modules of an explicit infra folder. Addition to the agreed API. */
    public static SesLocal start(Path infraDir) {
        return new SesLocal(NodeProcess.start("aws-ses-v2-local", infraDir, "aws-ses-v2-local/dist/cli.js",
                List.of("--host", "127.0.0.1", "--port", "{port}"), Map.of("AWS_SES_ACCOUNT", DEFAULT_ACCOUNT_JSON),
                Duration.ofSeconds(20), port -> {
                    HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/store"))
                            .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
                    return r.statusCode() == 200;
                }));
    }

    /** {@code http://127.0.0.1:<port>} */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + process.port());
    }

    /** The node process (to check it is gone after close()). Addition to the agreed API. */
    public ProcessHandle processHandle() {
        return process.handle();
    }

    /** Where the process writes its output. Addition to the agreed API. */
    public Path logFile() {
        return process.logFile();
    }

    @Override
    public void close() {
        process.close();
    }
}
