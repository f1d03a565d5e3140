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
        // Rounded up: a wake-up must never come before the time it waits for (a scheduled send would go early).
        long millis = Math.max(0, delay.toMillis());
        int seconds = (int) Math.min(MAX_DELAY_SECONDS, (millis + 999) / 1000);
        String body = "{\"campaignId\":\"" + new SendBatchMessage(campaignId, 0).campaignId() + "\"}";
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body).delaySeconds(seconds));
    }
}
