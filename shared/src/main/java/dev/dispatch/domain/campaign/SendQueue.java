package dev.dispatch.domain.campaign;

import java.util.List;

/** The queue between enqueue-campaign and send-batch. A message names a batch; the ledger holds its content. */
public interface SendQueue {
    void enqueue(String campaignId, List<Integer> batches);
}
