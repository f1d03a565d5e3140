package dev.dispatch.adapter.system;

import dev.dispatch.adapter.dynamodb.DynamoDbActiveCampaigns;
import dev.dispatch.adapter.dynamodb.DynamoDbPacingStore;
import dev.dispatch.adapter.sqs.SqsQueueDepths;
import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.pacing.SharedPacing;
import dev.dispatch.domain.system.SystemStatus;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@link SystemStatus} over its read-only adapters (queue attributes, pacing counters, a bounded Scan of the
 * campaigns table for those sending), built the same way for the api's /system/status and the report function's
 * /reports/status, so that both show the same view.
 */
public final class SystemStatusAdapters {

    /** The work queues and their dead-letter queues, by URL; shown under these names, in this order. */
    public record WorkQueues(String enqueue, String enqueueDeadLetter, String send, String sendDeadLetter,
            String engagement, String engagementDeadLetter) {
        Map<String, String> byName() {
            Map<String, String> queues = new LinkedHashMap<>();
            queues.put("enqueue", enqueue);
            queues.put("enqueue-dead-letter", enqueueDeadLetter);
            queues.put("send", send);
            queues.put("send-dead-letter", sendDeadLetter);
            queues.put("engagement", engagement);
            queues.put("engagement-dead-letter", engagementDeadLetter);
            return queues;
        }
    }

    private SystemStatusAdapters() {}

    public static SystemStatus systemStatus(DynamoDbClient dynamoDb, SqsClient sqs, WorkQueues queues,
            String controlTable, String campaignsTable, ProviderCatalog catalog) {
        return new SystemStatus(new SqsQueueDepths(sqs, queues.byName()),
                new SharedPacing(new DynamoDbPacingStore(dynamoDb, controlTable), catalog, Clock.systemUTC()),
                catalog, new DynamoDbActiveCampaigns(dynamoDb, campaignsTable), Clock.systemUTC());
    }
}
