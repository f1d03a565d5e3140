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
 * SQS: one send batch per record. A batch that can't finish now (lease held elsewhere, providers down, throttled
 * past the time budget) fails its record, so SQS delivers it again later; a duplicate delivery finds it done.
 */
public class SendBatchFunction {
    private static final Logger LOG = Logger.getLogger(SendBatchFunction.class);

    @RegisterForReflection
    public record SendBatch(String campaignId, Integer batch) {}

    @Inject
    BatchSender sender;

    @ConfigProperty(name = "dispatch.send.time-budget", defaultValue = "PT90S")
    Duration timeBudget;

    @Funq
    public void sendBatch(SendBatch message) {
        if (message == null || message.campaignId() == null || message.batch() == null) {
            LOG.error("send message without campaignId or batch");
            throw new IllegalArgumentException("send message without campaignId or batch");
        }
        String owner = UUID.randomUUID().toString(); // this attempt's lease identity
        BatchSender.Result result;
        try {
            result = sender.send(message.campaignId(), message.batch(), owner, Instant.now().plus(timeBudget));
        } catch (RuntimeException e) {
            LOG.errorf(e, "campaign %s batch %d failed; it will be retried", message.campaignId(), message.batch());
            throw e;
        }
        LOG.infof("campaign %s batch %d: %s", message.campaignId(), message.batch(), result);
        if (result == BatchSender.Result.RETRY_LATER) {
            throw new IllegalStateException("batch " + message.batch() + " not finished; retry later");
        }
    }
}
