package dev.dispatch.adapter.dynamodb;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Named counters as number attributes {@code <prefix><name>} moved by one atomic {@code ADD} update (names go
 * through placeholders: counter names may be reserved words or hold dots).
 */
final class Increments {
    private Increments() {}

    /** Adds the ADD expression for the non-zero counts to {@code request}; false when all counts are zero. */
    static boolean addTo(UpdateItemRequest.Builder request, String prefix, Map<String, Long> counts) {
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        String update = addClause(prefix, counts, names, values);
        if (update.isEmpty()) {
            return false;
        }
        request.updateExpression(update).expressionAttributeNames(names).expressionAttributeValues(values);
        return true;
    }

    /**
     * The {@code ADD} clause for the non-zero counts ("" when all are zero), its placeholders ({@code #c<i>},
     * {@code :c<i>}) put into {@code names} and {@code values}: for an update that also does something else.
     */
    static String addClause(String prefix, Map<String, Long> counts, Map<String, String> names,
            Map<String, AttributeValue> values) {
        StringBuilder update = new StringBuilder();
        int i = 0;
        for (Map.Entry<String, Long> entry : counts.entrySet()) {
            if (entry.getValue() == 0) {
                continue;
            }
            update.append(i == 0 ? "ADD " : ", ").append("#c").append(i).append(" :c").append(i);
            names.put("#c" + i, prefix + entry.getKey());
            values.put(":c" + i, AttributeValue.fromN(Long.toString(entry.getValue())));
            i++;
        }
        return update.toString();
    }

    /** The counters of an item, by name without the prefix. */
    static Map<String, Long> read(Map<String, AttributeValue> item, String prefix) {
        Map<String, Long> counts = new TreeMap<>();
        item.forEach((name, value) -> {
            if (name.startsWith(prefix)) {
                counts.put(name.substring(prefix.length()), Long.parseLong(value.n()));
            }
        });
        return counts;
    }
}
