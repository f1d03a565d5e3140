package dev.dispatch.adapter.sqs;

import dev.dispatch.domain.system.QueueDepths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Depths from SQS's approximate counts (GetQueueAttributes, one call per queue). */
public class SqsQueueDepths implements QueueDepths {
    private final SqsClient sqs;
    /** Role name to queue URL, in the order shown. */
    private final Map<String, String> queues;
    private final Map<String, Boolean> deadLetter = new LinkedHashMap<>();

    /**
     * @param queues role name ({@code send}) to URL; a role ending in {@code -dead-letter} is a dead-letter queue
     */
    public SqsQueueDepths(SqsClient sqs, Map<String, String> queues) {
        this.sqs = sqs;
        this.queues = new LinkedHashMap<>(queues);
        queues.keySet().forEach(name -> deadLetter.put(name, name.endsWith("-dead-letter")));
    }

    @Override
    public List<QueueDepth> all() {
        List<QueueDepth> depths = new ArrayList<>();
        queues.forEach((name, url) -> {
            Map<QueueAttributeName, String> a = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
            depths.add(new QueueDepth(name, deadLetter.get(name),
                    count(a, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES),
                    count(a, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE),
                    count(a, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)));
        });
        return depths;
    }

    private static long count(Map<QueueAttributeName, String> attributes, QueueAttributeName name) {
        String value = attributes.get(name);
        return value == null ? 0 : Long.parseLong(value);
    }
}
