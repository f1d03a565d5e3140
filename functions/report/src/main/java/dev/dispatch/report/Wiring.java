package dev.dispatch.report;

import dev.dispatch.adapter.config.ConfigFiles;
import dev.dispatch.adapter.dynamodb.DynamoDbCampaignStore;
import dev.dispatch.adapter.dynamodb.DynamoDbWarmingStore;
import dev.dispatch.adapter.secrets.DashboardSessions;
import dev.dispatch.adapter.secrets.SecretReader;
import dev.dispatch.adapter.system.SystemStatusAdapters;
import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.system.SystemStatus;
import dev.dispatch.domain.warming.WarmingConfig;
import dev.dispatch.domain.warming.WarmingStore;
import dev.dispatch.adapter.dynamodb.DynamoDbDeliveryStats;
import dev.dispatch.adapter.dynamodb.DynamoDbEngagementStore;
import dev.dispatch.adapter.dynamodb.DynamoDbLifecycleStats;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberCounters;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberStore;
import dev.dispatch.adapter.dynamodb.SubscriberTables;
import dev.dispatch.adapter.secrets.ApiKeyDigests;
import dev.dispatch.adapter.secrets.CachedSecret;
import dev.dispatch.adapter.secrets.SecretValues;
import dev.dispatch.adapter.secrets.SecretsManagerReader;
import dev.dispatch.domain.analytics.ProviderPrices;
import dev.dispatch.domain.campaign.CampaignStore;
import dev.dispatch.domain.engagement.DeliveryStats;
import dev.dispatch.domain.engagement.EngagementStates;
import dev.dispatch.domain.engagement.LifecycleStats;
import dev.dispatch.domain.subscriber.SubscriberStore;
import dev.dispatch.domain.subscriber.SubscriberCounters;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The read-only stores the reports and the dashboard use, the API key check shared with the api function, and dashboard sessions. */
public class Wiring {
    private static final Logger LOG = Logger.getLogger(Wiring.class);

    @Produces
    @Singleton
    CampaignStore campaigns(DynamoDbClient dynamoDb, ReportConfig config) {
        return new DynamoDbCampaignStore(dynamoDb, config.tables().campaigns());
    }

    @Produces
    @Singleton
    DeliveryStats deliveryStats(DynamoDbClient dynamoDb, ReportConfig config) {
        return new DynamoDbDeliveryStats(dynamoDb, config.tables().counters());
    }

    @Produces
    @Singleton
    SubscriberCounters subscriberCounters(DynamoDbClient dynamoDb, ReportConfig config) {
        return new DynamoDbSubscriberCounters(dynamoDb, config.tables().counters());
    }

    @Produces
    @Singleton
    LifecycleStats lifecycleStats(DynamoDbClient dynamoDb, ReportConfig config) {
        return new DynamoDbLifecycleStats(dynamoDb, config.tables().counters());
    }

    @Produces
    @Singleton
    SubscriberStore subscriberStore(DynamoDbClient dynamoDb, ReportConfig config) {
        ReportConfig.Tables t = config.tables();
        return new DynamoDbSubscriberStore(dynamoDb, new SubscriberTables(t.subscribers(), t.segmentMembers(),
                t.suppressions(), t.counters()));
    }

    @Produces
    @Singleton
    EngagementStates engagementStates(DynamoDbClient dynamoDb, ReportConfig config) {
        return new DynamoDbEngagementStore(dynamoDb, config.tables().engagement());
    }

    /** Checked at start: a malformed price setting stops the function with the setting named, not a report later. */
    @Produces
    @Singleton
    @Startup
    ProviderPrices prices(ReportConfig config) {
        return ProviderPrices.parse(config.report().prices(), "dispatch.report.prices (REPORT_PROVIDER_PRICES)");
    }

    /** One Secrets Manager client per container; every secret is read once at cold start, then kept fresh. */
    @Produces
    @Singleton
    SecretReader secretReader(ReportConfig config) {
        return new SecretsManagerReader(SecretsManagerReader.client(config.secrets().endpointOverride()));
    }

    /** The same secret and digest rule as the api function (ApiKeyDigests.accepts). */
    @Produces
    @Singleton
    @Startup
    ApiKeyDigests apiKeyDigests(SecretReader secrets, ReportConfig config) {
        CachedSecret<List<byte[]>> digests = new CachedSecret<>(config.secrets().apiKeyDigests(), secrets,
                SecretValues::apiKeyDigests, config.secrets().refreshInterval(), Clock.systemUTC());
        if (digests.get().isEmpty()) {
            LOG.warnf("no API key digest in secret %s: every report answers 401 until one is put there", digests.secretId());
        }
        return new ApiKeyDigests(digests);
    }

    /** Dashboard sessions, signed with the DashboardSessionSecret's key; a missing or short key fails the cold start. */
    @Produces
    @Singleton
    @Startup
    DashboardSessions dashboardSessions(SecretReader secrets, ReportConfig config) {
        CachedSecret<byte[]> key = new CachedSecret<>(config.secrets().dashboardSessionKey(), secrets,
                SecretValues::sessionKey, config.secrets().refreshInterval(), Clock.systemUTC());
        return new DashboardSessions(key, config.dashboard().sessionLifetime(), Clock.systemUTC());
    }

    /** providers.yaml (or DISPATCH_CONFIG_DIR's), as the api reads it: the system view lists its providers. */
    @Produces
    @Singleton
    @Startup
    ProviderCatalog providerCatalog(ReportConfig config) {
        return ConfigFiles.providers(config.configDir().filter(d -> !d.isBlank()).map(java.nio.file.Path::of));
    }

    /**
     * GET /reports/status: the api's SystemStatus over the same read-only adapters (queue attributes, pacing
     * counters, a Scan of the campaigns table for the sending campaigns, at most 5 pages; nothing per subscriber).
     */
    @Produces
    @Singleton
    SystemStatus systemStatus(DynamoDbClient dynamoDb, SqsClient sqs, ReportConfig config, ProviderCatalog catalog) {
        var q = config.queues();
        return SystemStatusAdapters.systemStatus(dynamoDb, sqs, new SystemStatusAdapters.WorkQueues(q.enqueue(),
                q.enqueueDeadLetter(), q.send(), q.sendDeadLetter(), q.engagement(), q.engagementDeadLetter()),
                config.tables().control(), config.tables().campaigns(), catalog);
    }

    /** warming.yaml, validated at start as in the api function. */
    @Produces
    @Singleton
    @Startup
    WarmingConfig warmingConfig(ReportConfig config) {
        return config.warming().test().configFile().filter(f -> !f.isBlank())
                .map(f -> ConfigFiles.warming(java.nio.file.Path.of(f))).orElseGet(ConfigFiles::warming);
    }

    /** Read only here (plan state, today's usage); warming-tick and the api write it. */
    @Produces
    @Singleton
    WarmingStore warmingStore(DynamoDbClient dynamoDb, ReportConfig config) {
        return new DynamoDbWarmingStore(dynamoDb, config.tables().control());
    }

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
