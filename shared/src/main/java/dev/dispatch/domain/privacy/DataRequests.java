package dev.dispatch.domain.privacy;

import dev.dispatch.domain.subscriber.CounterDelta;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.Subscriber;
import dev.dispatch.domain.subscriber.SubscriberCounters;
import dev.dispatch.domain.subscriber.SubscriberStatus;
import dev.dispatch.domain.subscriber.SubscriberStore;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A person's data requests: export everything held about an address, or erase it. Both are written to the audit
 * log before they answer, and the log names the person only by the keyed hash.
 */
public class DataRequests {
    private final SubscriberStore subscribers;
    private final SubscriberCounters counters;
    private final PersonalData data;
    private final ErasedAddresses erased;
    private final AuditLog audit;
    private final Clock clock;

    public DataRequests(SubscriberStore subscribers, SubscriberCounters counters, PersonalData data,
            ErasedAddresses erased, AuditLog audit, Clock clock) {
        this.subscribers = subscribers;
        this.counters = counters;
        this.data = data;
        this.erased = erased;
        this.audit = audit;
        this.clock = clock;
    }

    public Map<String, Object> export(EmailAddress email, String actor) {
        Instant now = clock.instant();
        String subject = erased.keyOf(email);
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("email", email.value());
        document.put("exportedAt", now.toString());
        boolean isErased = subscribers.find(email).map(s -> s.status() == SubscriberStatus.ERASED).orElse(false);
        document.put("erased", isErased);
        document.putAll(data.export(email));
        Map<String, Object> outcome = new LinkedHashMap<>();
        document.forEach((kind, value) -> {
            if (value instanceof java.util.Collection<?> c) {
                outcome.put(kind, c.size());
            } else if (value instanceof Map<?, ?> m) {
                outcome.put(kind, m.isEmpty() ? 0 : 1);
            }
        });
        audit.record("export", actor, now, subject, outcome);
        return document;
    }

    /**
     * Erases the address. The erasure record is written first: from that moment every send path (send-batch
     * re-reads each recipient just before sending) and every import refuses the address, whatever the rest of the
     * erasure still has to do. The profile's counts leave the counters once, when its delete finds it.
     */
    public PersonalData.Erasure erase(EmailAddress email, String actor) {
        Instant now = clock.instant();
        String subject = erased.keyOf(email);
        Subscriber before = subscribers.find(email).orElse(null);
        data.recordErasure(subject, now);
        PersonalData.Erasure erasure = data.erase(email, subject, now);
        if (before != null && before.createdAt() != null && before.status() != SubscriberStatus.ERASED
                && erasure.removed().getOrDefault("profile", 0) > 0) {
            counters.apply(new CounterDelta().record(before, null));
        }
        Map<String, Object> outcome = new LinkedHashMap<>(erasure.removed());
        outcome.put("complete", erasure.complete());
        if (!erasure.complete()) {
            outcome.put("waiting", erasure.waiting());
        }
        audit.record("erase", actor, now, subject, outcome);
        return erasure;
    }
}
