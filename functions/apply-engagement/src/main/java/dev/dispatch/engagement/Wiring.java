package dev.dispatch.engagement;

import dev.dispatch.adapter.dynamodb.DynamoDbCampaignStore;
import dev.dispatch.adapter.metrics.EmfMetrics;
import dev.dispatch.adapter.dynamodb.DynamoDbDeliveryStats;
import dev.dispatch.adapter.dynamodb.DynamoDbEngagementStore;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberCounters;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberStore;
import dev.dispatch.adapter.dynamodb.SubscriberTables;
import dev.dispatch.domain.engagement.EngagementRecorder;
import dev.dispatch.domain.metrics.MetricNames;
import dev.dispatch.domain.metrics.Metrics;
import dev.dispatch.domain.subscriber.SubscriberService;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
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
            @ConfigProperty(name = "dispatch.engagement.soft-bounce-limit", defaultValue = "3") int softBounceLimit,
            // Longer than the function's timeout: a lease is only taken over from an attempt that is gone.
            @ConfigProperty(name = "dispatch.engagement.lease", defaultValue = "PT90S") Duration lease) {
        Clock clock = Clock.systemUTC();
        SubscriberService subscriberService = new SubscriberService(
                new DynamoDbSubscriberStore(dynamoDb, new SubscriberTables(subscribers, segmentMembers, suppressions, counters)),
                new DynamoDbSubscriberCounters(dynamoDb, counters), clock);
        return new EngagementRecorder(new DynamoDbEngagementStore(dynamoDb, engagement), subscriberService,
                new DynamoDbCampaignStore(dynamoDb, campaigns), new DynamoDbDeliveryStats(dynamoDb, counters),
                softBounceLimit, clock, lease, duration -> Thread.sleep(duration.toMillis()));
    }
}
