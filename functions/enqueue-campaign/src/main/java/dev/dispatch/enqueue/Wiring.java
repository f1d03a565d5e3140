package dev.dispatch.enqueue;

import dev.dispatch.adapter.dynamodb.DynamoDbAddressMigration;
import dev.dispatch.adapter.dynamodb.DynamoDbCampaignStore;
import dev.dispatch.adapter.dynamodb.DynamoDbSendLedger;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberStore;
import dev.dispatch.adapter.dynamodb.SubscriberTables;
import dev.dispatch.adapter.sqs.SqsEnqueueRequests;
import dev.dispatch.adapter.sqs.SqsSendQueue;
import dev.dispatch.domain.campaign.CampaignEnqueuer;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Builds the enqueue use case once per container from the environment the template gives. */
public class Wiring {

    @Produces
    @Singleton
    CampaignEnqueuer enqueuer(DynamoDbClient dynamoDb, SqsClient sqs,
            @ConfigProperty(name = "dispatch.tables.subscribers") String subscribers,
            @ConfigProperty(name = "dispatch.tables.segment-members") String segmentMembers,
            @ConfigProperty(name = "dispatch.tables.suppressions") String suppressions,
            @ConfigProperty(name = "dispatch.tables.counters") String counters,
            @ConfigProperty(name = "dispatch.tables.campaigns") String campaigns,
            @ConfigProperty(name = "dispatch.tables.send-ledger") String ledger,
            @ConfigProperty(name = "dispatch.tables.engagement") String engagement,
            @ConfigProperty(name = "dispatch.queues.enqueue") String enqueueQueue,
            @ConfigProperty(name = "dispatch.queues.send") String sendQueue,
            @ConfigProperty(name = "dispatch.enqueue.batch-size", defaultValue = "250") int batchSize,
            @ConfigProperty(name = "dispatch.enqueue.page-size", defaultValue = "1000") int pageSize) {
        SubscriberTables subscriberTables = new SubscriberTables(subscribers, segmentMembers, suppressions, counters);
        return new CampaignEnqueuer(
                new DynamoDbCampaignStore(dynamoDb, campaigns),
                new DynamoDbSubscriberStore(dynamoDb, subscriberTables),
                new DynamoDbSendLedger(dynamoDb, ledger),
                new SqsSendQueue(sqs, sendQueue),
                new SqsEnqueueRequests(sqs, enqueueQueue),
                new DynamoDbAddressMigration(dynamoDb, subscriberTables, engagement, campaigns, DynamoDbAddressMigration.DEFAULT_MARKER,
                        Clock.systemUTC()),
                Clock.systemUTC(), batchSize, pageSize);
    }
}
