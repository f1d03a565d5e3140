package dev.dispatch.adapter.sqs;

import dev.dispatch.domain.campaign.SendQueue;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/** Batch numbers onto the send queue, ten per SendMessageBatch call; entries SQS refuses are sent again. */
public class SqsSendQueue implements SendQueue {
    private static final int SQS_BATCH = 10;
    private static final int MAX_ATTEMPTS = 5;

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
            for (int attempt = 1; !entries.isEmpty(); attempt++) {
                List<SendMessageBatchRequestEntry> request = entries;
                SendMessageBatchResponse response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(request));
                if (response.failed().isEmpty()) {
                    break;
                }
                if (attempt == MAX_ATTEMPTS) {
                    throw new IllegalStateException(response.failed().size() + " send batches could not be queued: "
                            + response.failed().get(0).code());
                }
                List<String> failedIds = response.failed().stream().map(f -> f.id()).toList();
                entries = request.stream().filter(e -> failedIds.contains(e.id())).toList();
            }
        }
    }
}
