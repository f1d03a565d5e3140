package dev.dispatch.adapter.sqs;

import java.util.regex.Pattern;

/** The send queue's message body: {@code {"campaignId":"cmp_...","batch":12}}. The ledger holds the content. */
public record SendBatchMessage(String campaignId, int batch) {
    private static final Pattern CAMPAIGN_ID = Pattern.compile("cmp_[0-9a-z]{1,40}");

    public SendBatchMessage {
        if (campaignId == null || !CAMPAIGN_ID.matcher(campaignId).matches()) {
            throw new IllegalArgumentException("campaignId must look like cmp_...");
        }
        if (batch < 0) {
            throw new IllegalArgumentException("batch must not be negative");
        }
    }

    static String json(String campaignId, int batch) {
        return "{\"campaignId\":\"" + new SendBatchMessage(campaignId, batch).campaignId() + "\",\"batch\":" + batch + "}";
    }
}
