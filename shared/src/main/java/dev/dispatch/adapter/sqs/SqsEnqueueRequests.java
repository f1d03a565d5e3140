package dev.dispatch.adapter.sqs;

import dev.dispatch.domain.campaign.EnqueueRequests;
import java.time.Duration;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Wakes enqueue-campaign through its queue; a delay (up to SQS's 15 minutes) makes a durable timer. */
public class SqsEnqueueRequests implements EnqueueRequests {
    private static final long MAX_DELAY_SECONDS = 900;

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsEnqueueRequests(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void request(String campaignId, Duration delay) {
        int seconds = (int) Math.max(0, Math.min(MAX_DELAY_SECONDS, delay.toSeconds()));
        String body = "{\"campaignId\":\"" + new SendBatchMessage(campaignId, 0).campaignId() + "\"}";
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body).delaySeconds(seconds));
    }
}
