package dev.dispatch.adapter.sqs;

import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementQueue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Events onto the engagement queue: up to {@link #EVENTS_PER_MESSAGE} per message and well under SQS's 256 KiB,
 * ten messages per SendMessageBatch call; entries SQS refuses are sent again, and only when every entry is accepted
 * does {@link #submit} return.
 */
public class SqsEngagementQueue implements EngagementQueue {
    static final int EVENTS_PER_MESSAGE = 50;
    static final int MAX_MESSAGE_BYTES = 200 * 1024;
    private static final int SQS_BATCH = 10;
    private static final int MAX_BATCH_BYTES = 240 * 1024;

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsEngagementQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void submit(List<EngagementEvent> events) {
        List<String> bodies = bodies(events);
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
        int bytes = 0;
        for (String body : bodies) {
            int size = body.getBytes(StandardCharsets.UTF_8).length;
            if (entries.size() == SQS_BATCH || (!entries.isEmpty() && bytes + size > MAX_BATCH_BYTES)) {
                send(entries);
                entries = new ArrayList<>();
                bytes = 0;
            }
            entries.add(SendMessageBatchRequestEntry.builder().id("m" + entries.size()).messageBody(body).build());
            bytes += size;
        }
        if (!entries.isEmpty()) {
            send(entries);
        }
    }

    /** The events as message bodies: chunks of up to 50 events, halved until each fits. */
    static List<String> bodies(List<EngagementEvent> events) {
        List<String> bodies = new ArrayList<>();
        for (int start = 0; start < events.size(); ) {
            int count = Math.min(EVENTS_PER_MESSAGE, events.size() - start);
            String body = EngagementMessage.of(events.subList(start, start + count)).json();
            while (body.getBytes(StandardCharsets.UTF_8).length > MAX_MESSAGE_BYTES && count > 1) {
                count = count / 2;
                body = EngagementMessage.of(events.subList(start, start + count)).json();
            }
            bodies.add(body);
            start += count;
        }
        return bodies;
    }

    private void send(List<SendMessageBatchRequestEntry> batch) {
        SqsBatches.sendAll(sqs, queueUrl, batch, "engagement messages");
    }
}
