package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.system.ActiveCampaigns;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * The campaigns in status {@code sending}, from the campaigns table (one item per campaign, see
 * {@link DynamoDbCampaignStore}): a Scan filtered on the status that reads only the few attributes shown (not the
 * definition). The table has no index by status; it holds one item per campaign ever made, so the Scan stops after
 * {@link #MAX_PAGES} pages and the answer says so.
 */
public class DynamoDbActiveCampaigns implements ActiveCampaigns {
    static final int MAX_PAGES = 5;

    private final DynamoDbClient client;
    private final String table;

    public DynamoDbActiveCampaigns(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    @Override
    public List<ActiveCampaign> sendingNow(int limit) {
        List<ActiveCampaign> found = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        for (int page = 0; page < MAX_PAGES && found.size() < limit; page++) {
            Map<String, AttributeValue> exclusiveStart = start;
            ScanResponse response = client.scan(ScanRequest.builder().tableName(table)
                    .filterExpression("#status = :sending")
                    .projectionExpression("#id, #updatedAt, #nextBatch, #complete, #done, #sent")
                    .expressionAttributeNames(Map.of("#status", "status", "#id", "id", "#updatedAt", "updatedAt",
                            "#nextBatch", "nextBatch", "#complete", "complete", "#done", "n_batchesDone", "#sent", "n_sent"))
                    .expressionAttributeValues(Map.of(":sending", AttributeValue.fromS("sending")))
                    .exclusiveStartKey(exclusiveStart)
                    .build());
            for (Map<String, AttributeValue> item : response.items()) {
                if (found.size() < limit) {
                    found.add(new ActiveCampaign(item.get("id").s(),
                            item.containsKey("updatedAt") ? Instant.parse(item.get("updatedAt").s()) : null,
                            number(item, "nextBatch"), item.containsKey("complete") && item.get("complete").bool(),
                            number(item, "n_batchesDone"), number(item, "n_sent")));
                }
            }
            if (!response.hasLastEvaluatedKey() || response.lastEvaluatedKey().isEmpty()) {
                break;
            }
            start = response.lastEvaluatedKey();
        }
        return found;
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }
}
