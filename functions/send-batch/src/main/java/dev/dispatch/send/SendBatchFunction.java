package dev.dispatch.send;

import io.quarkus.funqy.Funq;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Renders and sends a batch through a provider. Not built yet (see the campaigns issue): every message fails,
 * so SQS keeps it and finally moves it to the dead-letter queue instead of it being dropped as if sent.
 */
public class SendBatchFunction {
    private static final Logger LOG = Logger.getLogger(SendBatchFunction.class);

    @Funq
    public void sendBatch(Map<String, Object> batch) {
        LOG.error("send-batch is not implemented yet; the message stays on the queue for its dead-letter queue");
        throw new UnsupportedOperationException("send-batch is not implemented yet");
    }
}
