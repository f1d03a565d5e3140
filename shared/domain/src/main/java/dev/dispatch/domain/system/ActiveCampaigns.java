package dev.dispatch.domain.system;

import java.time.Instant;
import java.util.List;

/** The campaigns being sent now. */
public interface ActiveCampaigns {
    /** At most {@code limit} campaigns in status {@code sending}. */
    List<ActiveCampaign> sendingNow(int limit);

    /**
     * @param batchesQueued batches the enqueuer has written so far
     * @param batchesDone batches with a result for every recipient
     * @param sent recipients sent so far
     */
    record ActiveCampaign(String id, Instant updatedAt, long batchesQueued, boolean allQueued, long batchesDone,
            long sent) {}
}
