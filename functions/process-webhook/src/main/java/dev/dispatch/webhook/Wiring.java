package dev.dispatch.webhook;

import dev.dispatch.adapter.sqs.SqsEngagementQueue;
import dev.dispatch.adapter.webhook.CachingCertificateSource;
import dev.dispatch.adapter.webhook.CertificateSource;
import dev.dispatch.adapter.webhook.HttpsCertificateSource;
import dev.dispatch.adapter.webhook.SnsCertificateTrust;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import io.smallrye.config.SmallRyeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Builds the webhook intake once per container. A provider without its settings answers 503; the others work. */
public class Wiring {

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
            Config config) {
        TestSwitches test = TestSwitches.from(config.unwrap(SmallRyeConfig.class), System.getenv());
        Clock clock = test.verifyAt().map(at -> Clock.fixed(at, ZoneOffset.UTC)).orElse(Clock.systemUTC());
        WebhookSettings settings = new WebhookSettings(sendGridPublicKey.orElse(null), sesTopicArns.orElse(null),
                postmarkUser.orElse(null), postmarkPassword.orElse(null), postmarkTokenHeader,
                postmarkToken.orElse(null), genericSecret.orElse(null), replayWindow, maxBodyBytes);
        return new WebhookIntake(settings.providers(clock, certificates(test.certificateDir()), snsTrust(test.trustAnchor())),
                new SqsEngagementQueue(sqs, engagementQueueUrl),
                new HttpSubscriptionConfirmer(confirmTimeout, test.confirmBaseUrl().orElse(null)),
                clock);
    }

    /** Certificates are fetched once per container either way; a folder replaces the network in tests. */
    static CertificateSource certificates(Optional<Path> directory) {
        return new CachingCertificateSource(directory.<CertificateSource>map(DirectoryCertificateSource::new)
                .orElseGet(HttpsCertificateSource::new));
    }

    /** The JDK's trust store; in tests also the CA that issued the locally made SNS test certificate. */
    static SnsCertificateTrust snsTrust(Optional<Path> testAnchor) {
        SnsCertificateTrust trust = SnsCertificateTrust.jdkTrustStore();
        if (testAnchor.isEmpty()) {
            return trust;
        }
        try (InputStream in = Files.newInputStream(testAnchor.get())) {
            X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return trust.withAdditionalAnchors(List.of(ca));
        } catch (IOException | CertificateException e) {
            throw new IllegalStateException("SNS_TEST_TRUST_ANCHOR can't be read as a PEM certificate", e);
        }
    }
}
