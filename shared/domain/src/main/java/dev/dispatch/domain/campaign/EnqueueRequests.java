package dev.dispatch.domain.campaign;

import java.time.Duration;

/** The queue that wakes enqueue-campaign: a campaign to start, continue or resume, optionally after a delay. */
public interface EnqueueRequests {
    void request(String campaignId, Duration delay);
}
