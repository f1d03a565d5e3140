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
        java.util.Optional<dev.dispatch.domain.subscriber.Subscriber> found = subscribers.find(email);
        boolean isErased = found.map(s -> s.status() == SubscriberStatus.ERASED).orElse(false);
        document.put("erased", isErased);
        document.putAll(data.export(email));
        // Consent evidence and open double opt-in requests, read through the domain (they live on the profile).
        java.util.List<Map<String, Object>> consents = new java.util.ArrayList<>();
        java.util.List<Map<String, Object>> pending = new java.util.ArrayList<>();
        found.ifPresent(s -> {
            s.optIns().consents().forEach(c -> consents.add(consentMap(c)));
            s.optIns().pending().values().forEach(p -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("segment", p.segment());
                m.put("requestedAt", p.requestedAt().toString());
                m.put("expiresAt", p.expiresAt().toString());
                pending.add(m);
            });
        });
        document.put("consents", consents);
        document.put("pendingOptIns", pending);
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

    /** A consent record as plain JSON values (absent parts left out). */
    public static Map<String, Object> consentMap(dev.dispatch.domain.subscriber.ConsentRecord c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("segment", c.segment());
        m.put("at", c.at().toString());
        m.put("action", c.action().wireName());
        m.put("method", c.method());
        if (c.source() != null) {
            m.put("source", c.source());
        }
        if (c.ip() != null) {
            m.put("ip", c.ip());
        }
        if (c.userAgent() != null) {
            m.put("userAgent", c.userAgent());
        }
        if (c.text() != null) {
            m.put("text", c.text());
        }
        if (c.version() != null) {
            m.put("version", c.version());
        }
        return m;
    }
}
