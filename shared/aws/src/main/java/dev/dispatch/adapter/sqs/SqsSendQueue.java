package dev.dispatch.adapter.sqs;

import dev.dispatch.domain.campaign.SendQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/** Batch numbers onto the send queue, ten per SendMessageBatch call; entries SQS refuses are sent again. */
public class SqsSendQueue implements SendQueue {
    private static final int SQS_BATCH = 10;
    /** SQS's longest per-message delay. */
    private static final int MAX_DELAY_SECONDS = 900;

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsSendQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void enqueue(String campaignId, List<Integer> batches) {
        for (int start = 0; start < batches.size(); start += SQS_BATCH) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            for (int batch : batches.subList(start, Math.min(batches.size(), start + SQS_BATCH))) {
                entries.add(SendMessageBatchRequestEntry.builder()
                        .id("b" + batch)
                        .messageBody(SendBatchMessage.json(campaignId, batch))
                        .build());
            }
            SqsBatches.sendAll(sqs, queueUrl, entries, "send batches");
        }
    }

    @Override
    public void enqueueLater(String campaignId, int batch, Duration delay) {
        int seconds = (int) Math.max(0, Math.min(MAX_DELAY_SECONDS, delay.toSeconds()));
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(SendBatchMessage.json(campaignId, batch)).delaySeconds(seconds));
    }
}
