package dev.dispatch.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.adapter.snapstart.SnapStartPriming;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Registers this function's SnapStart priming at init (see {@link SnapStartPriming}): its AWS SDK clients and Jackson,
 * run by Lambda before it snapshots a published version. Without SnapStart nothing runs.
 */
@Startup
@Singleton
class SnapStartPrimers {
    SnapStartPrimers(DynamoDbClient dynamoDb,
            @ConfigProperty(name = "dispatch.tables.counters") String counters,
            SqsClient sqs,
            @ConfigProperty(name = "dispatch.queues.engagement") String queueUrl,
            ObjectMapper json) {
        SnapStartPriming.register(SnapStartPriming.dynamoDb(dynamoDb, counters, "pk", "sk"),
                SnapStartPriming.sqs(sqs, queueUrl),
                SnapStartPriming.jackson(json));
    }
}
