package dev.dispatch.engagement;

import dev.dispatch.adapter.sqs.EngagementMessage;
import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementRecorder;
import io.quarkus.funqy.Funq;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.inject.Inject;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * SQS: one message of verified events per record, applied in order. Any failure fails the record, so SQS delivers
 * it again (and after five receives moves it to the dead-letter queue); the events already applied are recognized
 * as duplicates on the next attempt and change nothing.
 */
@RegisterForReflection(targets = {EngagementMessage.class, EngagementMessage.Event.class})
public class ApplyEngagementFunction {
    private static final Logger LOG = Logger.getLogger(ApplyEngagementFunction.class);

    @Inject
    EngagementRecorder recorder;

    @Funq
    public void applyEngagement(EngagementMessage message) {
        List<EngagementEvent> events;
        try {
            events = message == null ? List.of() : message.toEvents();
        } catch (IllegalArgumentException e) {
            LOG.errorf("unreadable engagement message (%s); it will end in the dead-letter queue", e.getMessage());
            throw e;
        }
        int applied = 0;
        for (EngagementEvent event : events) {
            try {
                if (recorder.apply(event) == EngagementRecorder.Outcome.APPLIED) {
                    applied++;
                }
            } catch (RuntimeException e) {
                // No address in the log: the provider and type say enough to find the message in the queue.
                LOG.errorf(e, "applying a %s %s event failed; the message will be retried", event.provider(), event.type());
                throw e;
            }
        }
        LOG.infof("engagement message: %d events, %d applied, %d duplicates", events.size(), applied, events.size() - applied);
    }
}
