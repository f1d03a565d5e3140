package dev.dispatch.webhook;

import dev.dispatch.adapter.webhook.SnsEndpoints;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * GETs the SubscribeURL with the JDK client. {@code SesSnsWebhook} already refuses a confirmation whose SubscribeURL
 * is not HTTPS on an SNS host; the check is repeated here because this is the class that makes the outbound call,
 * and a request the function makes on a caller's behalf must never go anywhere but SNS. Redirects are not followed,
 * so the host that was checked is the host that answers.
 */
public final class HttpSubscriptionConfirmer implements SubscriptionConfirmer {
    private static final Logger LOG = Logger.getLogger(HttpSubscriptionConfirmer.class);

    private final HttpClient http;
    private final Duration timeout;
    private final URI baseOverride;

    /**
     * @param baseOverride TEST ONLY: when not null, its scheme, host and port replace the SubscribeURL's (path and
     *     query kept), so that a test can observe the confirmation; null in production
     */
    public HttpSubscriptionConfirmer(Duration timeout, URI baseOverride) {
        this.timeout = timeout;
        this.baseOverride = baseOverride;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public boolean confirm(String subscribeUrl) {
        URI target = target(requireSns(subscribeUrl), baseOverride);
        HttpRequest request = HttpRequest.newBuilder(target).timeout(timeout).GET().build();
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                return true;
            }
            LOG.warnf("SNS answered %d to the subscription confirmation", response.statusCode());
            return false;
        } catch (IOException e) {
            LOG.warnf("SNS subscription confirmation failed: %s", e.getClass().getSimpleName());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The URL if it is HTTPS on an SNS regional host (the verifier's own check), else a refusal. */
    static URI requireSns(String raw) {
        return SnsEndpoints.requireSnsUrl(raw, "SubscribeURL");
    }

    /** {@code url} with scheme, host and port taken from {@code base} (when given), path and query kept. */
    static URI target(URI url, URI base) {
        if (base == null) {
            return url;
        }
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        String query = url.getRawQuery() == null ? "" : "?" + url.getRawQuery();
        return URI.create(base.getScheme() + "://" + base.getRawAuthority() + path + query);
    }
}
