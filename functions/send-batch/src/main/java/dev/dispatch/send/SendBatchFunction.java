package dev.dispatch.send;

import dev.dispatch.domain.campaign.BatchSender;
import io.quarkus.funqy.Funq;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * SQS: one send batch per record, the records of an event one after the other. A batch that can't finish now
 * (lease held elsewhere, providers down, throttled or out of time) fails its record, so SQS delivers it again
 * later; a duplicate delivery finds it done. A record reached when too little of the invocation is left is failed
 * without being started, and so are the records after it: they come back as batch item failures. A batch handed
 * back for pacing (PACED) or a used-up daily quota (OVER_QUOTA) was queued again with a delay by the sender: its
 * record succeeds, so it does not count towards the dead-letter queue.
 */
public class SendBatchFunction {
    private static final Logger LOG = Logger.getLogger(SendBatchFunction.class);

    @RegisterForReflection
    public record SendBatch(String campaignId, Integer batch) {}

    @Inject
    BatchSender sender;

    /** Only without {@link SendBatchHandler} (e.g. the native runtime): the time one record may take. */
    @ConfigProperty(name = "dispatch.send.time-budget", defaultValue = "PT90S")
    Duration fallbackBudget;

    @Funq
    public void sendBatch(SendBatch message) {
        if (message == null || message.campaignId() == null || message.batch() == null) {
            LOG.error("send message without campaignId or batch");
            throw new IllegalArgumentException("send message without campaignId or batch");
        }
        String owner = UUID.randomUUID().toString(); // this attempt's lease identity
        Instant invocationEnd = SendBatchHandler.invocationEnd().orElseGet(() -> Instant.now().plus(fallbackBudget));
        BatchSender.Result result;
        try {
            result = sender.send(message.campaignId(), message.batch(), owner, invocationEnd);
        } catch (RuntimeException e) {
            LOG.errorf(e, "campaign %s batch %d failed; it will be retried", message.campaignId(), message.batch());
            throw e;
        }
        LOG.infof("campaign %s batch %d: %s", message.campaignId(), message.batch(), result);
        if (result == BatchSender.Result.RETRY_LATER || result == BatchSender.Result.NO_TIME) {
            throw new IllegalStateException("batch " + message.batch() + " not finished (" + result + "); retry later");
        }
    }
}
