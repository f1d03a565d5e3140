package dev.dispatch.domain.campaign;

import java.time.Duration;
import java.util.List;

/** The queue between enqueue-campaign and send-batch. A message names a batch; the ledger holds its content. */
public interface SendQueue {
    void enqueue(String campaignId, List<Integer> batches);

    /**
     * Queues one batch again, to be delivered after {@code delay} (at most 15 minutes, SQS's longest delay): a batch
     * handed back for pacing or a used-up daily quota.
     */
    void enqueueLater(String campaignId, int batch, Duration delay);
}
