package dev.dispatch.enqueue;

import io.quarkus.funqy.Funq;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Pages a campaign's segments into send batches. Not built yet (see the campaigns issue): every message fails,
 * so SQS keeps it and finally moves it to the dead-letter queue instead of it being dropped as if handled.
 */
public class EnqueueCampaignFunction {
    private static final Logger LOG = Logger.getLogger(EnqueueCampaignFunction.class);

    @Funq
    public void enqueueCampaign(Map<String, Object> request) {
        LOG.error("enqueue-campaign is not implemented yet; the message stays on the queue for its dead-letter queue");
        throw new UnsupportedOperationException("enqueue-campaign is not implemented yet");
    }
}
