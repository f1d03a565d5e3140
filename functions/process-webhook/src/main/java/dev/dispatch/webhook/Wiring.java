package dev.dispatch.webhook;

import dev.dispatch.adapter.sqs.SqsEngagementQueue;
import dev.dispatch.adapter.webhook.CachingCertificateSource;
import dev.dispatch.adapter.webhook.CertificateSource;
import dev.dispatch.adapter.webhook.HttpsCertificateSource;
import dev.dispatch.adapter.secrets.CachedSecret;
import dev.dispatch.adapter.secrets.SecretReader;
import dev.dispatch.adapter.secrets.SecretValues;
import dev.dispatch.adapter.secrets.SecretsManagerReader;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds the webhook intake once per container (again when a webhook secret changes). A provider without its
 * settings answers 503; the others work.
 */
public class Wiring {
    private static final Logger LOG = Logger.getLogger(Wiring.class);

    // Built during the function's init rather than by its first request: settings are checked (and logged) and the
    // secrets read at cold start, outside any provider's request timeout.
    @Produces
    @Singleton
    @Startup
    CurrentIntake intake(SqsClient sqs,
            @ConfigProperty(name = "dispatch.queues.engagement") String engagementQueueUrl,
            @ConfigProperty(name = "dispatch.webhooks.sendgrid.public-key") Optional<String> sendGridPublicKey,
            @ConfigProperty(name = "dispatch.webhooks.ses.topic-arns") Optional<String> sesTopicArns,
            @ConfigProperty(name = "dispatch.webhooks.postmark.token-header") String postmarkTokenHeader,
            @ConfigProperty(name = "dispatch.secrets.postmark-webhook") String postmarkSecret,
            @ConfigProperty(name = "dispatch.secrets.generic-webhook") String genericSecret,
            @ConfigProperty(name = "dispatch.secrets.refresh-interval") Duration refreshInterval,
            @ConfigProperty(name = "dispatch.secrets.endpoint-override") Optional<URI> secretsEndpoint,
            @ConfigProperty(name = "dispatch.webhooks.replay-window") Duration replayWindow,
            @ConfigProperty(name = "dispatch.webhooks.max-body-bytes") int maxBodyBytes,
            @ConfigProperty(name = "dispatch.webhooks.subscription-confirm-timeout") Duration confirmTimeout,
            @ConfigProperty(name = "dispatch.webhooks.sns-certificate-dir") Optional<String> certificateDir,
            @ConfigProperty(name = "dispatch.webhooks.verify-at") Optional<String> verifyAt,
            @ConfigProperty(name = "dispatch.webhooks.sns-confirm-base-url") Optional<String> confirmBaseUrl) {
        Clock clock = verificationClock(verifyAt.filter(s -> !s.isBlank()));
        // Made once and kept across rebuilds of the intake: the certificate cache and the clients.
        CertificateSource certificates = certificates(certificateDir.filter(s -> !s.isBlank()));
        SqsEngagementQueue queue = new SqsEngagementQueue(sqs, engagementQueueUrl);
        SubscriptionConfirmer confirmer = new HttpSubscriptionConfirmer(confirmTimeout,
                confirmBase(confirmBaseUrl.filter(s -> !s.isBlank())));
        // The secrets age on the system clock, never on the (test-only) fixed verification clock.
        SecretReader secrets = new SecretsManagerReader(SecretsManagerReader.client(secretsEndpoint));
        CachedSecret<Map<String, String>> postmark = new CachedSecret<>(postmarkSecret, secrets, SecretValues::fields,
                refreshInterval, Clock.systemUTC());
        CachedSecret<Optional<String>> generic = new CachedSecret<>(genericSecret, secrets,
                text -> SecretValues.field(text, "secret"), refreshInterval, Clock.systemUTC());
        return new CurrentIntake(postmark, generic, (postmarkNow, genericNow) -> {
            WebhookSettings settings = new WebhookSettings(sendGridPublicKey.orElse(null), sesTopicArns.orElse(null),
                    postmarkNow.get("user"), postmarkNow.get("password"), postmarkTokenHeader, postmarkNow.get("token"),
                    genericNow.orElse(null), replayWindow, maxBodyBytes);
            return new WebhookIntake(settings.providers(clock, certificates), queue, confirmer, clock);
        });
    }

    /** The system clock; fixed only for replaying recorded fixtures in tests (replay protection is then off). */
    static Clock verificationClock(Optional<String> verifyAt) {
        if (verifyAt.isEmpty()) {
            return Clock.systemUTC();
        }
        Instant at = Instant.parse(verifyAt.get().strip());
        LOG.warnf("WEBHOOK_VERIFY_AT is set: every webhook is verified as if received at %s. Replay protection is OFF; "
                + "this is for replaying test fixtures only and must never be set in production", at);
        return Clock.fixed(at, ZoneOffset.UTC);
    }

    /** Certificates are fetched once per container either way; a folder replaces the network in tests. */
    static CertificateSource certificates(Optional<String> directory) {
        if (directory.isPresent()) {
            LOG.infof("SNS signing certificates are read from a folder (SNS_CERTIFICATE_DIR), not fetched");
            return new CachingCertificateSource(new DirectoryCertificateSource(Path.of(directory.get().strip())));
        }
        return new CachingCertificateSource(new HttpsCertificateSource());
    }

    static URI confirmBase(Optional<String> configured) {
        if (configured.isEmpty()) {
            return null;
        }
        URI base = URI.create(configured.get().strip());
        if (base.getScheme() == null || base.getRawAuthority() == null) {
            throw new IllegalArgumentException("SNS_CONFIRM_BASE_URL must be an absolute URL such as http://127.0.0.1:8080");
        }
        LOG.warnf("SNS_CONFIRM_BASE_URL is set: subscription confirmations go to %s instead of SNS (test only)", base);
        return base;
    }
}
