package dev.dispatch.webhook;

import dev.dispatch.adapter.sqs.SqsEngagementQueue;
import dev.dispatch.adapter.webhook.CachingCertificateSource;
import dev.dispatch.adapter.webhook.CertificateSource;
import dev.dispatch.adapter.webhook.HttpsCertificateSource;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Builds the webhook intake once per container. A provider without its settings answers 503; the others work. */
public class Wiring {
    private static final Logger LOG = Logger.getLogger(Wiring.class);

    // Built during the function's init rather than by its first request: settings are checked (and logged) at
    // cold start, outside any provider's request timeout.
    @Produces
    @Singleton
    @Startup
    WebhookIntake intake(SqsClient sqs,
            @ConfigProperty(name = "dispatch.queues.engagement") String engagementQueueUrl,
            @ConfigProperty(name = "dispatch.webhooks.sendgrid.public-key") Optional<String> sendGridPublicKey,
            @ConfigProperty(name = "dispatch.webhooks.ses.topic-arns") Optional<String> sesTopicArns,
            @ConfigProperty(name = "dispatch.webhooks.postmark.user") Optional<String> postmarkUser,
            @ConfigProperty(name = "dispatch.webhooks.postmark.password") Optional<String> postmarkPassword,
            @ConfigProperty(name = "dispatch.webhooks.postmark.token-header") String postmarkTokenHeader,
            @ConfigProperty(name = "dispatch.webhooks.postmark.token") Optional<String> postmarkToken,
            @ConfigProperty(name = "dispatch.webhooks.generic.secret") Optional<String> genericSecret,
            @ConfigProperty(name = "dispatch.webhooks.replay-window") Duration replayWindow,
            @ConfigProperty(name = "dispatch.webhooks.max-body-bytes") int maxBodyBytes,
            @ConfigProperty(name = "dispatch.webhooks.subscription-confirm-timeout") Duration confirmTimeout,
            @ConfigProperty(name = "dispatch.webhooks.sns-certificate-dir") Optional<String> certificateDir,
            @ConfigProperty(name = "dispatch.webhooks.verify-at") Optional<String> verifyAt,
            @ConfigProperty(name = "dispatch.webhooks.sns-confirm-base-url") Optional<String> confirmBaseUrl) {
        Clock clock = verificationClock(verifyAt.filter(s -> !s.isBlank()));
        WebhookSettings settings = new WebhookSettings(sendGridPublicKey.orElse(null), sesTopicArns.orElse(null),
                postmarkUser.orElse(null), postmarkPassword.orElse(null), postmarkTokenHeader,
                postmarkToken.orElse(null), genericSecret.orElse(null), replayWindow, maxBodyBytes);
        return new WebhookIntake(settings.providers(clock, certificates(certificateDir.filter(s -> !s.isBlank()))),
                new SqsEngagementQueue(sqs, engagementQueueUrl),
                new HttpSubscriptionConfirmer(confirmTimeout, confirmBase(confirmBaseUrl.filter(s -> !s.isBlank()))),
                clock);
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
