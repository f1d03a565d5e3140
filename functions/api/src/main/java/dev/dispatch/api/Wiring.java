package dev.dispatch.api;

import dev.dispatch.adapter.dynamodb.DynamoDbCampaignStore;
import dev.dispatch.adapter.dynamodb.DynamoDbSendLedger;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberCounters;
import dev.dispatch.adapter.render.HandlebarsTemplates;
import dev.dispatch.adapter.sqs.SqsEnqueueRequests;
import dev.dispatch.adapter.sqs.SqsSendQueue;
import dev.dispatch.domain.campaign.CampaignService;
import dev.dispatch.domain.subscriber.UnsubscribeTokens;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberStore;
import dev.dispatch.adapter.dynamodb.SubscriberTables;
import dev.dispatch.domain.subscriber.SubscriberImport;
import dev.dispatch.domain.subscriber.SubscriberService;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Builds the domain services once per container from the plain-Java domain and the DynamoDB adapters. */
public class Wiring {

    @Produces
    @Singleton
    SubscriberService subscriberService(DynamoDbClient dynamoDb, ApiConfig config) {
        return new SubscriberService(store(dynamoDb, config), counters(dynamoDb, config), Clock.systemUTC());
    }

    @Produces
    @Singleton
    SubscriberImport subscriberImport(DynamoDbClient dynamoDb, ApiConfig config) {
        ExecutorService executor = Executors.newFixedThreadPool(config.importing().parallelism(), runnable -> {
            Thread thread = new Thread(runnable, "import-writer");
            thread.setDaemon(true);
            return thread;
        });
        return new SubscriberImport(store(dynamoDb, config), counters(dynamoDb, config), Clock.systemUTC(), executor);
    }

    @Produces
    @Singleton
    CampaignService campaignService(DynamoDbClient dynamoDb, SqsClient sqs, ApiConfig config) {
        return new CampaignService(
                new DynamoDbCampaignStore(dynamoDb, config.tables().campaigns()),
                new DynamoDbSendLedger(dynamoDb, config.tables().sendLedger()),
                new SqsSendQueue(sqs, config.queues().send()),
                new SqsEnqueueRequests(sqs, config.queues().enqueue()),
                HandlebarsTemplates.html(),
                Clock.systemUTC());
    }

    @Produces
    @Singleton
    UnsubscribeTokens unsubscribeTokens(ApiConfig config) {
        return new UnsubscribeTokens(config.unsubscribe().signingKey());
    }

    private static DynamoDbSubscriberStore store(DynamoDbClient dynamoDb, ApiConfig config) {
        ApiConfig.Tables t = config.tables();
        return new DynamoDbSubscriberStore(dynamoDb, new SubscriberTables(t.subscribers(), t.segmentMembers(), t.suppressions(), t.counters()));
    }

    private static DynamoDbSubscriberCounters counters(DynamoDbClient dynamoDb, ApiConfig config) {
        return new DynamoDbSubscriberCounters(dynamoDb, config.tables().counters());
    }
}
