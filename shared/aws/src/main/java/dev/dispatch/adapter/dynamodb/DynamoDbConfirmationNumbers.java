package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.consent.ConfirmationNumbers;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * A confirmation campaign's batch numbers from an atomic counter in the counters table
 * ({@code pk = optin#<campaign>}, {@code sk = seq}): one UpdateItem (ADD) per number, each number handed out once.
 */
public class DynamoDbConfirmationNumbers implements ConfirmationNumbers {
    private final DynamoDbClient client;
    private final String table;

    public DynamoDbConfirmationNumbers(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    @Override
    public int next(String confirmationCampaign) {
        var response = client.updateItem(b -> b.tableName(table)
                .key(Map.of("pk", AttributeValue.fromS("optin#" + confirmationCampaign), "sk", AttributeValue.fromS("seq")))
                .updateExpression("ADD #n :one")
                .expressionAttributeNames(Map.of("#n", "n"))
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1")))
                .returnValues(ReturnValue.UPDATED_NEW));
        return Integer.parseInt(response.attributes().get("n").n());
    }
}
