package dev.dispatch.webhook;

import dev.dispatch.adapter.metrics.EmfMetrics;
import dev.dispatch.adapter.sqs.SqsEngagementQueue;
import dev.dispatch.adapter.webhook.CachingCertificateSource;
import dev.dispatch.adapter.webhook.CertificateSource;
import dev.dispatch.adapter.webhook.HttpsCertificateSource;
import dev.dispatch.adapter.webhook.SnsCertificateTrust;
import dev.dispatch.adapter.secrets.CachedSecret;
import dev.dispatch.adapter.secrets.SecretReader;
import dev.dispatch.adapter.secrets.SecretValues;
import dev.dispatch.adapter.secrets.SecretsManagerReader;
import dev.dispatch.domain.metrics.MetricNames;
import dev.dispatch.domain.metrics.Metrics;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import io.smallrye.config.SmallRyeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds the webhook intake once per container (again when a webhook secret changes). A provider without its
 * settings answers 503; the others work.
 */
public class Wiring {

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
            @ConfigProperty(name = "dispatch.metrics.namespace", defaultValue = MetricNames.DEFAULT_NAMESPACE) String metricsNamespace,
            Config config) {
        TestSwitches test = TestSwitches.from(config.unwrap(SmallRyeConfig.class), System.getenv());
        Clock clock = test.verifyAt().map(at -> Clock.fixed(at, ZoneOffset.UTC)).orElse(Clock.systemUTC());
        // Made once and kept across rebuilds of the intake: the certificate cache, the trust store and the clients.
        CertificateSource certificates = certificates(test.certificateDir());
        SnsCertificateTrust trust = snsTrust(test.trustAnchor());
        SqsEngagementQueue queue = new SqsEngagementQueue(sqs, engagementQueueUrl);
        Metrics metrics = EmfMetrics.toStandardOutput(metricsNamespace);
        SubscriptionConfirmer confirmer = new HttpSubscriptionConfirmer(confirmTimeout, test.confirmBaseUrl().orElse(null));
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
            return new WebhookIntake(settings.providers(clock, certificates, trust), queue, confirmer, clock, metrics);
        });
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
