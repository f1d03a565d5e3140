package dev.dispatch.webhook;

import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementQueue;
import dev.dispatch.domain.engagement.MalformedWebhookException;
import dev.dispatch.domain.engagement.ProviderWebhook;
import dev.dispatch.domain.engagement.WebhookAuthenticationException;
import dev.dispatch.domain.engagement.WebhookRequest;
import dev.dispatch.domain.engagement.WebhookResult;
import dev.dispatch.domain.engagement.WebhookTooLargeException;
import dev.dispatch.domain.metrics.Measurements;
import dev.dispatch.domain.metrics.MetricNames;
import dev.dispatch.domain.metrics.Metrics;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * One webhook request from arrival to answer: the provider's adapter verifies it on its raw bytes and parses it, its
 * events are queued, and only then is it answered 2xx. Every provider retries a non-2xx answer, so anything that
 * might have lost an event (queueing failed, a certificate could not be fetched, the route is not configured yet)
 * is a 5xx; anything that can never succeed (not authentic, unreadable, too large) is a 4xx and records nothing.
 *
 * <p>Logs say which provider, how many events and what happened; never a body, a header value or an address.
 */
public final class WebhookIntake {
    private static final Logger LOG = Logger.getLogger(WebhookIntake.class);
    static final String POSTMARK = "postmark";

    /**
     * A provider's route: its adapter, or (when a setting is missing or invalid) why it can't take requests.
     *
     * @param route the path segment after {@code /webhooks/}
     * @param webhook the adapter, or null when unavailable
     * @param unavailable what to set, when {@code webhook} is null
     */
    public record Provider(String route, ProviderWebhook webhook, String unavailable) {
        public Provider {
            Objects.requireNonNull(route, "route");
            if ((webhook == null) == (unavailable == null)) {
                throw new IllegalArgumentException("a provider has either an adapter or a reason it has none");
            }
        }

        public static Provider ready(String route, ProviderWebhook webhook) {
            return new Provider(route, Objects.requireNonNull(webhook, "webhook"), null);
        }

        public static Provider unavailable(String route, String why) {
            return new Provider(route, null, Objects.requireNonNull(why, "why"));
        }
    }

    /** The HTTP answer: status, JSON body, extra headers. */
    public record Answer(int status, Map<String, Object> body, Map<String, String> headers) {
        public Answer {
            body = Map.copyOf(body);
            headers = Map.copyOf(headers);
        }
    }

    private final Map<String, Provider> providers;
    private final EngagementQueue queue;
    private final SubscriptionConfirmer confirmer;
    private final Clock clock;
    private final Metrics metrics;

    public WebhookIntake(List<Provider> providers, EngagementQueue queue, SubscriptionConfirmer confirmer, Clock clock) {
        this(providers, queue, confirmer, clock, Metrics.NONE);
    }

    /**
     * @param clock the verification clock: requests are received (and signed timestamps and certificates judged)
     *     at its time; it must be the clock the adapters were built with
     * @param metrics receives, once per accepted request, its events per provider
     */
    public WebhookIntake(List<Provider> providers, EngagementQueue queue, SubscriptionConfirmer confirmer, Clock clock,
            Metrics metrics) {
        Map<String, Provider> byRoute = new LinkedHashMap<>();
        for (Provider provider : providers) {
            if (byRoute.put(provider.route(), provider) != null) {
                throw new IllegalArgumentException("two providers on route " + provider.route());
            }
        }
        this.providers = Map.copyOf(byRoute);
        this.queue = queue;
        this.confirmer = confirmer;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * @param route the {@code {provider}} path segment
     * @param headers the request headers (a repeated header joined with commas, as API Gateway does)
     * @param body the raw body bytes, exactly as received
     * @param query the query parameters
     */
    public Answer receive(String route, Map<String, String> headers, byte[] body, Map<String, String> query) {
        Provider provider = providers.get(route);
        if (provider == null) {
            return error(404, "unknown webhook provider; known: " + providers.keySet().stream().sorted().toList());
        }
        if (provider.webhook() == null) {
            LOG.warnf("webhook %s: refused (503): not configured", route);
            return error(503, "this webhook is not configured: " + provider.unavailable(), Map.of("Retry-After", "300"));
        }
        WebhookRequest request = new WebhookRequest(headers, body, query, clock.instant());
        WebhookResult result;
        try {
            result = provider.webhook().receive(request);
        } catch (WebhookAuthenticationException e) {
            // The adapter's messages say what failed (missing header, stale timestamp, ...) and never echo a secret.
            int status = e.credentialsMissing() ? 401 : 403;
            LOG.warnf("webhook %s: refused (%d): %s", route, status, e.getMessage());
            Map<String, String> extra = status == 401 && route.equals(POSTMARK)
                    ? Map.of("WWW-Authenticate", "Basic realm=\"webhooks\"") : Map.of();
            return error(status, e.getMessage(), extra);
        } catch (MalformedWebhookException e) {
            // Field paths and fixed problem texts only: the adapters never put a value into the message.
            LOG.warnf("webhook %s: refused (400): %s", route, e.getMessage());
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("error", e.getMessage());
            answer.put("field", e.field());
            return new Answer(400, answer, Map.of());
        } catch (WebhookTooLargeException e) {
            LOG.warnf("webhook %s: refused (413): %d bytes", route, request.bodyLength());
            return error(413, e.getMessage());
        } catch (UncheckedIOException e) {
            // The SNS signing certificate could not be fetched: temporary, and SNS retries a 5xx.
            LOG.errorf("webhook %s: unavailable (503): %s", route, e.getMessage());
            return error(503, "the signing certificate could not be obtained; retry later", Map.of("Retry-After", "30"));
        }

        if (result.isSubscriptionConfirmation()) {
            return confirm(route, result.subscriptionConfirmUrl());
        }
        List<EngagementEvent> events = result.events();
        if (!events.isEmpty()) {
            try {
                queue.submit(events);
            } catch (RuntimeException e) {
                // Some events may not be stored: the provider must send the request again (duplicates are harmless).
                LOG.errorf("webhook %s: %d events could not be queued (503): %s", route, events.size(),
                        e.getClass().getSimpleName());
                return error(503, "the events could not be queued; retry later", Map.of("Retry-After", "30"));
            }
        }
        LOG.infof("webhook %s: accepted, %d events queued", route, events.size());
        if (!events.isEmpty()) {
            Measurements accepted = new Measurements().property("route", route);
            events.forEach(e -> accepted.count(MetricNames.WEBHOOK_EVENTS_ACCEPTED, e.provider(), 1));
            metrics.publish(accepted);
        }
        return new Answer(200, Map.of("received", events.size()), Map.of());
    }

    private Answer confirm(String route, String subscribeUrl) {
        boolean confirmed;
        try {
            confirmed = confirmer.confirm(subscribeUrl);
        } catch (WebhookAuthenticationException e) {
            LOG.warnf("webhook %s: subscription confirmation refused (403): %s", route, e.getMessage());
            return error(403, e.getMessage());
        }
        if (!confirmed) {
            // 5xx so that SNS sends the confirmation again.
            LOG.errorf("webhook %s: subscription confirmation failed (502)", route);
            return error(502, "the subscription could not be confirmed with SNS; retry later");
        }
        LOG.infof("webhook %s: subscription confirmed", route);
        return new Answer(200, Map.of("subscriptionConfirmed", true), Map.of());
    }

    private static Answer error(int status, String message) {
        return error(status, message, Map.of());
    }

    private static Answer error(int status, String message, Map<String, String> headers) {
        return new Answer(status, Map.of("error", message), headers);
    }
}
