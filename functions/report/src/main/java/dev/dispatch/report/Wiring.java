package dev.dispatch.report;

import dev.dispatch.adapter.dynamodb.DynamoDbCampaignStore;
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

/** The read-only stores the reports use, and the API key check shared with the api function. */
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

    /** The same secret and digest rule as the api function (ApiKeyDigests.accepts). */
    @Produces
    @Singleton
    @Startup
    ApiKeyDigests apiKeyDigests(ReportConfig config) {
        SecretsManagerReader secrets = new SecretsManagerReader(SecretsManagerReader.client(config.secrets().endpointOverride()));
        CachedSecret<List<byte[]>> digests = new CachedSecret<>(config.secrets().apiKeyDigests(), secrets,
                SecretValues::apiKeyDigests, config.secrets().refreshInterval(), Clock.systemUTC());
        if (digests.get().isEmpty()) {
            LOG.warnf("no API key digest in secret %s: every report answers 401 until one is put there", digests.secretId());
        }
        return new ApiKeyDigests(digests);
    }

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
