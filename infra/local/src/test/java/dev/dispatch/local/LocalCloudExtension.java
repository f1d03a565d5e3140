package dev.dispatch.local;

import dev.dispatch.emulators.LocalAws;
import dev.dispatch.emulators.ProjectLayout;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
 */
public final class LocalCloudExtension implements BeforeAllCallback, ParameterResolver {
    private static LocalCloud cloud;
    private static RuntimeException startFailure;
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

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
            try {
                cloud = LocalCloud.start(options); // registers its own JVM shutdown hook
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return cloud;
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

    /** The dev API key (its SHA-256 is the ApiKeySha256 parameter the functions got). */
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
}
