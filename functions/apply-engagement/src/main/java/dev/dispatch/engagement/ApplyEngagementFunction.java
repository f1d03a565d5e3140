package dev.dispatch.engagement;

import dev.dispatch.adapter.sqs.EngagementMessage;
import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementRecorder;
import dev.dispatch.domain.subscriber.EmailAddress;
import io.quarkus.funqy.Funq;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
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
 */
@RegisterForReflection(targets = {EngagementMessage.class, EngagementMessage.Event.class})
@Singleton // one worker pool per container, not one per invocation
public class ApplyEngagementFunction {
    private static final Logger LOG = Logger.getLogger(ApplyEngagementFunction.class);

    @Inject
    EngagementRecorder recorder;

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

    /** Applies one recipient's events in order; the number applied (the others were duplicates). */
    private int applyInOrder(List<EngagementEvent> events) {
        int applied = 0;
        for (EngagementEvent event : events) {
            try {
                EngagementRecorder.Outcome outcome = recorder.apply(event);
                applied += outcome == EngagementRecorder.Outcome.APPLIED ? 1 : 0;
                if (outcome == EngagementRecorder.Outcome.ERASED) {
                    LOG.infof("dropped a %s %s event: its recipient was erased", event.provider(), event.type());
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
    public void applyEngagement(EngagementMessage message) {
        List<EngagementEvent> events;
        try {
            events = message == null ? List.of() : message.toEvents();
        } catch (IllegalArgumentException e) {
            LOG.errorf("unreadable engagement message (%s); it will end in the dead-letter queue", e.getMessage());
            throw e;
        }
        // One task per recipient: a subscriber's events one after another (they update one state item), different
        // subscribers side by side.
        Map<EmailAddress, List<EngagementEvent>> byRecipient = new LinkedHashMap<>();
        recorder.notYetApplied(events).forEach(e -> byRecipient.computeIfAbsent(e.recipient(), r -> new ArrayList<>()).add(e));
        List<Future<Integer>> tasks = new ArrayList<>();
        for (List<EngagementEvent> ofOne : byRecipient.values()) {
            tasks.add(workers.submit(() -> applyInOrder(ofOne)));
        }
        int applied = 0;
        RuntimeException failure = null;
        for (Future<Integer> task : tasks) {
            try {
                applied += task.get();
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
        LOG.infof("engagement message: %d events, %d applied, %d duplicates", events.size(), applied, events.size() - applied);
    }
}
