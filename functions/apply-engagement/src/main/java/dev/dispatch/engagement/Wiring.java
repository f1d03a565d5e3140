package dev.dispatch.engagement;

import dev.dispatch.adapter.dynamodb.DynamoDbCampaignStore;
import dev.dispatch.adapter.metrics.EmfMetrics;
import dev.dispatch.adapter.dynamodb.DynamoDbDeliveryStats;
import dev.dispatch.adapter.dynamodb.DynamoDbEngagementJournal;
import dev.dispatch.adapter.dynamodb.DynamoDbEngagementStore;
import dev.dispatch.adapter.dynamodb.DynamoDbLifecycleStats;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberCounters;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberStore;
import dev.dispatch.adapter.dynamodb.SubscriberTables;
import dev.dispatch.adapter.secrets.CachedSecret;
import dev.dispatch.adapter.secrets.SecretValues;
import dev.dispatch.adapter.secrets.SecretsManagerReader;
import dev.dispatch.domain.engagement.EngagementRecorder;
import dev.dispatch.domain.metrics.MetricNames;
import dev.dispatch.domain.metrics.Metrics;
import dev.dispatch.domain.privacy.ErasedAddresses;
import dev.dispatch.domain.subscriber.SubscriberService;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Builds the engagement use case once per container. */
public class Wiring {

    @Produces
    @Singleton
    Metrics metrics(@ConfigProperty(name = "dispatch.metrics.namespace", defaultValue = MetricNames.DEFAULT_NAMESPACE)
            String namespace) {
        return EmfMetrics.toStandardOutput(namespace);
    }

    @Produces
    @Singleton
    EngagementRecorder recorder(DynamoDbClient dynamoDb,
            @ConfigProperty(name = "dispatch.tables.subscribers") String subscribers,
            @ConfigProperty(name = "dispatch.tables.segment-members") String segmentMembers,
            @ConfigProperty(name = "dispatch.tables.suppressions") String suppressions,
            @ConfigProperty(name = "dispatch.tables.counters") String counters,
            @ConfigProperty(name = "dispatch.tables.campaigns") String campaigns,
            @ConfigProperty(name = "dispatch.tables.engagement") String engagement,
            // How long history entries are kept (template parameter EngagementRetentionDays): their TTL attribute.
            @ConfigProperty(name = "dispatch.retention.engagement-days", defaultValue = "400") int engagementRetentionDays,
            @ConfigProperty(name = "dispatch.engagement.soft-bounce-limit", defaultValue = "3") int softBounceLimit,
            // Longer than the function's timeout: a lease is only taken over from an attempt that is gone.
            @ConfigProperty(name = "dispatch.engagement.lease", defaultValue = "PT90S") Duration lease,
            @ConfigProperty(name = "dispatch.secrets.erasure-key") String erasureKeySecret,
            @ConfigProperty(name = "dispatch.secrets.refresh-interval") Duration refreshInterval,
            @ConfigProperty(name = "dispatch.secrets.endpoint-override") Optional<URI> secretsEndpoint) {
        Clock clock = Clock.systemUTC();
        // Events for an erased address are dropped: it is recognised by its keyed hash only.
        ErasedAddresses erased = SecretValues.erasedAddresses(new CachedSecret<>(erasureKeySecret,
                new SecretsManagerReader(SecretsManagerReader.client(secretsEndpoint)), SecretValues::erasureKey,
                refreshInterval, clock));
        DynamoDbSubscriberStore store = new DynamoDbSubscriberStore(dynamoDb,
                new SubscriberTables(subscribers, segmentMembers, suppressions, counters), erased);
        SubscriberService subscriberService = new SubscriberService(store, new DynamoDbSubscriberCounters(dynamoDb, counters), clock);
        return new EngagementRecorder(
                new DynamoDbEngagementStore(dynamoDb, engagement, Duration.ofDays(engagementRetentionDays)), subscriberService,
                new DynamoDbCampaignStore(dynamoDb, campaigns), new DynamoDbDeliveryStats(dynamoDb, counters),
                new DynamoDbLifecycleStats(dynamoDb, counters), softBounceLimit, clock, lease,
                duration -> Thread.sleep(duration.toMillis()), store::isErased, store::erasedAmong,
                new DynamoDbEngagementJournal(dynamoDb, engagement));
    }
}
