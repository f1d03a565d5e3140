package dev.dispatch.engagement;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.dispatch.adapter.sqs.EngagementMessage;
import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementMetrics;
import dev.dispatch.domain.engagement.EngagementRecorder;
import dev.dispatch.domain.metrics.Metrics;
import dev.dispatch.domain.subscriber.EmailAddress;
import io.quarkus.funqy.Funq;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * SQS: one message of verified events per record. Different recipients' events are applied side by side (each
 * event is a short chain of DynamoDB requests, and scores, streaks and counters take events in any order); one
 * recipient's events one after another, as they update the same subscriber state. Any failure fails the record once every event has been tried, so SQS delivers it again (after five
 * receives it is kept in the dead-letter queue); the events already applied are recognized as duplicates on the next
 * attempt and change nothing.
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

    /** Applies one recipient's events in order; those applied (the others were duplicates). */
    private List<EngagementEvent> applyInOrder(List<EngagementEvent> events) {
        List<EngagementEvent> applied = new ArrayList<>();
        for (EngagementEvent event : events) {
            try {
                if (recorder.apply(event) == EngagementRecorder.Outcome.APPLIED) {
                    applied.add(event);
                }
            } catch (RuntimeException e) {
                // No address in the log: the provider and type say enough to find the message in the queue.
                LOG.errorf(e, "applying a %s %s event failed; the message will be retried", event.provider(), event.type());
                throw e;
            }
        }
        return applied;
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
        // One task per recipient: a subscriber's events one after another (they update one state item), different
        // subscribers side by side.
        Map<EmailAddress, List<EngagementEvent>> byRecipient = new LinkedHashMap<>();
        recorder.notYetApplied(events).forEach(e -> byRecipient.computeIfAbsent(e.recipient(), r -> new ArrayList<>()).add(e));
        List<Future<List<EngagementEvent>>> tasks = new ArrayList<>();
        for (List<EngagementEvent> ofOne : byRecipient.values()) {
            tasks.add(workers.submit(() -> applyInOrder(ofOne)));
        }
        List<EngagementEvent> applied = new ArrayList<>();
        RuntimeException failure = null;
        for (Future<List<EngagementEvent>> task : tasks) {
            try {
                applied.addAll(task.get());
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while applying engagement events", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        LOG.infof("engagement message: %d events, %d applied, %d duplicates", events.size(), applied.size(),
                events.size() - applied.size());
        metrics.publish(EngagementMetrics.applied(applied, queueLag(record, received)));
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
