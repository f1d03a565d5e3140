package dev.dispatch.send;

import dev.dispatch.adapter.dynamodb.DynamoDbAddressMigration;
import dev.dispatch.adapter.dynamodb.DynamoDbCampaignStore;
import dev.dispatch.adapter.config.ConfigFiles;
import dev.dispatch.adapter.dynamodb.DynamoDbDeliveryStats;
import dev.dispatch.adapter.dynamodb.DynamoDbProviderControl;
import dev.dispatch.domain.routing.ProviderRouting;
import dev.dispatch.adapter.dynamodb.DynamoDbPacingStore;
import dev.dispatch.adapter.dynamodb.DynamoDbSendLedger;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberStore;
import dev.dispatch.adapter.dynamodb.SubscriberTables;
import dev.dispatch.adapter.provider.PostmarkProvider;
import dev.dispatch.adapter.provider.RotatingCredentialProvider;
import dev.dispatch.adapter.provider.SendGridProvider;
import dev.dispatch.adapter.provider.SesProvider;
import dev.dispatch.adapter.render.CampaignRenderer;
import dev.dispatch.adapter.secrets.CachedSecret;
import dev.dispatch.adapter.secrets.SecretReader;
import dev.dispatch.adapter.secrets.SecretValues;
import dev.dispatch.adapter.metrics.EmfMetrics;
import dev.dispatch.adapter.secrets.SecretsManagerReader;
import dev.dispatch.adapter.sqs.SqsSendQueue;
import dev.dispatch.domain.campaign.BatchSender;
import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.message.EmailProvider;
import dev.dispatch.domain.metrics.MetricNames;
import dev.dispatch.domain.pacing.SharedPacing;
import dev.dispatch.domain.subscriber.UnsubscribeKeyring;
import dev.dispatch.domain.subscriber.UnsubscribeTokens;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ses.SesClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds the send use case once per container; a provider is available only while its credential is set in its
 * secret (without one, a batch fails over to the campaign's next provider).
 */
public class Wiring {
    private static final Logger LOG = Logger.getLogger(Wiring.class);
    /** The longest one provider request may take; a call near the invocation's end gets less. */
    private static final Duration PROVIDER_TIMEOUT = Duration.ofSeconds(20);

    @Produces
    @Singleton
    @Startup
    BatchSender sender(DynamoDbClient dynamoDb, SesClient ses, SqsClient sqs,
            @ConfigProperty(name = "dispatch.tables.subscribers") String subscribers,
            @ConfigProperty(name = "dispatch.tables.segment-members") String segmentMembers,
            @ConfigProperty(name = "dispatch.tables.suppressions") String suppressions,
            @ConfigProperty(name = "dispatch.tables.counters") String counters,
            @ConfigProperty(name = "dispatch.tables.campaigns") String campaigns,
            @ConfigProperty(name = "dispatch.tables.send-ledger") String ledger,
            @ConfigProperty(name = "dispatch.secrets.unsubscribe-keyring") String keyringSecret,
            @ConfigProperty(name = "dispatch.tables.engagement") String engagement,
            @ConfigProperty(name = "dispatch.public-api-url") String publicApiUrl,
            @ConfigProperty(name = "dispatch.ses.configuration-set") Optional<String> sesConfigurationSet,
            @ConfigProperty(name = "dispatch.secrets.sendgrid-api-key") String sendGridKeySecret,
            @ConfigProperty(name = "dispatch.sendgrid.url") Optional<URI> sendGridUrl,
            @ConfigProperty(name = "dispatch.secrets.postmark-server-token") String postmarkTokenSecret,
            @ConfigProperty(name = "dispatch.postmark.url") Optional<URI> postmarkUrl,
            @ConfigProperty(name = "dispatch.postmark.message-stream", defaultValue = "broadcast") String postmarkStream,
            @ConfigProperty(name = "dispatch.secrets.refresh-interval") Duration refreshInterval,
            @ConfigProperty(name = "dispatch.secrets.endpoint-override") Optional<URI> secretsEndpoint,
            @ConfigProperty(name = "dispatch.send.lease", defaultValue = "PT3M") Duration lease,
            @ConfigProperty(name = "dispatch.send.reserve") Duration reserve,
            @ConfigProperty(name = "dispatch.send.minimum-call") Duration minimumCall,
            @ConfigProperty(name = "dispatch.tables.control") String control,
            @ConfigProperty(name = "dispatch.routing.refresh") Duration routingRefresh,
            @ConfigProperty(name = "dispatch.routing.reputation-refresh") Duration reputationRefresh,
            @ConfigProperty(name = "dispatch.queues.send") String sendQueue,
            @ConfigProperty(name = "dispatch.send.max-pacing-wait") Duration maxPacingWait,
            @ConfigProperty(name = "dispatch.config-dir") Optional<String> configDir,
            @ConfigProperty(name = "dispatch.metrics.namespace", defaultValue = MetricNames.DEFAULT_NAMESPACE) String metricsNamespace) {
        // The providers' rates and quotas; a bad file stops the function at start, naming the field.
        ProviderCatalog catalog = ConfigFiles.providers(configDir.filter(d -> !d.isBlank()).map(Path::of));
        // Secrets are read here, at cold start, and re-read when older than the refresh interval: a provider
        // credential set or rotated in Secrets Manager is used from the next send on, without a redeploy.
        SecretReader secrets = new SecretsManagerReader(SecretsManagerReader.client(secretsEndpoint));
        CachedSecret<Optional<String>> sendGridKey = new CachedSecret<>(sendGridKeySecret, secrets,
                text -> SecretValues.field(text, "apiKey"), refreshInterval, Clock.systemUTC());
        CachedSecret<Optional<String>> postmarkToken = new CachedSecret<>(postmarkTokenSecret, secrets,
                text -> SecretValues.field(text, "serverToken"), refreshInterval, Clock.systemUTC());
        CachedSecret<UnsubscribeKeyring> keyring = new CachedSecret<>(keyringSecret, secrets,
                SecretValues::unsubscribeKeyring, refreshInterval, Clock.systemUTC());
        Map<String, EmailProvider> providers = new LinkedHashMap<>();
        providers.put("ses", new SesProvider(ses, sesConfigurationSet.filter(s -> !s.isBlank()).orElse(null)));
        providers.put(SendGridProvider.NAME, new RotatingCredentialProvider(SendGridProvider.NAME,
                SendGridProvider.MAX_PERSONALIZATIONS, sendGridKey,
                key -> new SendGridProvider(key, sendGridUrl.orElse(SendGridProvider.DEFAULT_ENDPOINT), PROVIDER_TIMEOUT)));
        providers.put(PostmarkProvider.NAME, new RotatingCredentialProvider(PostmarkProvider.NAME,
                PostmarkProvider.MAX_BATCH_SIZE, postmarkToken, token -> new PostmarkProvider(
                        postmarkUrl.orElse(PostmarkProvider.DEFAULT_ENDPOINT), token, postmarkStream, PROVIDER_TIMEOUT)));
        LOG.infof("providers: ses; sendgrid %s; postmark %s", sendGridKey.get().isPresent() ? "has a key" : "has no key yet",
                postmarkToken.get().isPresent() ? "has a token" : "has no token yet");
        SubscriberTables subscriberTables = new SubscriberTables(subscribers, segmentMembers, suppressions, counters);
        DynamoDbDeliveryStats deliveryStats = new DynamoDbDeliveryStats(dynamoDb, counters);
        // The operator's files, validated here at start: a bad file stops the function before it sends anything.
        // Shared health and overrides are read at most every routingRefresh, reputations every reputationRefresh.
        ProviderRouting routing = new ProviderRouting(ConfigFiles.deliveryRules(), catalog,
                new DynamoDbProviderControl(dynamoDb, control), deliveryStats, Clock.systemUTC(), routingRefresh,
                reputationRefresh);
        return new BatchSender(
                new DynamoDbCampaignStore(dynamoDb, campaigns),
                new DynamoDbSubscriberStore(dynamoDb, subscriberTables),
                new DynamoDbSendLedger(dynamoDb, ledger),
                new CampaignRenderer(new UnsubscribeTokens(keyring), publicApiUrl),
                providers, Clock.systemUTC(), duration -> Thread.sleep(duration.toMillis()), lease,
                new BatchSender.TimeBudget(reserve, minimumCall), deliveryStats,
                new DynamoDbAddressMigration(dynamoDb, subscriberTables, engagement, campaigns, DynamoDbAddressMigration.DEFAULT_MARKER,
                        Clock.systemUTC()), routing,
                new SharedPacing(new DynamoDbPacingStore(dynamoDb, control), catalog, Clock.systemUTC()),
                new SqsSendQueue(sqs, sendQueue), maxPacingWait, EmfMetrics.toStandardOutput(metricsNamespace));
    }
}
