package dev.dispatch.engagement;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.dispatch.adapter.sqs.EngagementMessage;
import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementMetrics;
import dev.dispatch.domain.engagement.EngagementRecorder;
import dev.dispatch.domain.metrics.Metrics;
import io.quarkus.funqy.Funq;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * SQS: one message of verified events per record, applied as one batch ({@link EngagementRecorder#applyBatch}): a
 * few reads for the whole message, one save per subscriber (side by side on the worker pool), one update per
 * counter item. Any failure fails the record, so SQS delivers it again (after five receives it is kept in the
 * dead-letter queue); the batch's journal makes the redelivery finish what is left, counting each event once.
 *
 * <p>The function takes the SQS record itself (Funqy passes it whole when the parameter is its type), not only the
 * body: the record's {@code SentTimestamp} gives the queue lag, published with the applied events' counts.
 */
@RegisterForReflection(targets = {EngagementMessage.class, EngagementMessage.Event.class})
@Singleton // one worker pool per container, not one per invocation
public class ApplyEngagementFunction {
    private static final Logger LOG = Logger.getLogger(ApplyEngagementFunction.class);

    @Inject
    EngagementRecorder recorder;

    @Inject
    Metrics metrics;

    private final ExecutorService workers;

    @Inject
    public ApplyEngagementFunction(@ConfigProperty(name = "dispatch.engagement.parallelism", defaultValue = "8") int parallelism) {
        this.workers = Executors.newFixedThreadPool(parallelism, runnable -> {
            Thread thread = new Thread(runnable, "apply-engagement");
            thread.setDaemon(true);
            return thread;
        });
    }

    @PreDestroy
    void stop() {
        workers.shutdownNow();
    }

    @Funq
    public void applyEngagement(SQSEvent.SQSMessage record) {
        Instant received = Instant.now();
        List<EngagementEvent> events;
        try {
            events = record == null || record.getBody() == null ? List.of() : EngagementMessage.parse(record.getBody()).toEvents();
        } catch (IllegalArgumentException e) {
            LOG.errorf("unreadable engagement message (%s); it will end in the dead-letter queue", e.getMessage());
            throw e;
        }
        if (events.isEmpty()) {
            return;
        }
        // The message id stays the same on every delivery of the message: the batch's journal is kept under it.
        String batchId = record.getMessageId() != null ? record.getMessageId()
                : EngagementRecorder.eventKey(events.get(0)) + "-" + events.size();
        EngagementRecorder.BatchOutcome outcome;
        try {
            outcome = recorder.applyBatch(batchId, events, workers);
        } catch (RuntimeException e) {
            // No address in the log: the counts say enough to find the message in the queue.
            LOG.errorf(e, "applying a message of %d engagement events failed; the message will be retried", events.size());
            throw e;
        }
        if (outcome.erased() > 0) {
            LOG.infof("dropped %d events: their recipients were erased", outcome.erased());
        }
        LOG.infof("engagement message: %d events, %d applied, %d duplicates", events.size(), outcome.applied().size(),
                outcome.duplicates());
        metrics.publish(EngagementMetrics.applied(outcome.applied(), queueLag(record, received)));
    }

    /** From when SQS took the message to when this attempt began; zero when the record does not say. */
    private static Duration queueLag(SQSEvent.SQSMessage record, Instant received) {
        String sent = record.getAttributes() == null ? null : record.getAttributes().get("SentTimestamp");
        try {
            return sent == null ? Duration.ZERO : Duration.between(Instant.ofEpochMilli(Long.parseLong(sent)), received);
        } catch (NumberFormatException e) {
            return Duration.ZERO;
        }
    }
}
