package dev.dispatch.domain.subscriber;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A profile's double opt-ins still waiting for confirmation (by segment; a pending segment is not one of the
 * profile's segments, so no campaign reaches the person there) and its consent records.
 */
public record OptIns(SortedMap<String, PendingOptIn> pending, List<ConsentRecord> consents) {
    /** Consent records kept per profile; the oldest go first beyond this (the profile item stays small). */
    public static final int MAX_CONSENT_RECORDS = 100;
    public static final OptIns NONE = new OptIns(null, null);

    public OptIns {
        pending = pending == null ? new TreeMap<>() : new TreeMap<>(pending);
        consents = consents == null ? List.of() : List.copyOf(consents);
    }

    /** The pending opt-in for a segment that has not expired at {@code now}, or null. */
    public PendingOptIn pendingFor(String segment, Instant now) {
        PendingOptIn p = pending.get(segment);
        return p == null || p.expired(now) ? null : p;
    }

    /** Only the requests still open at {@code now}. */
    public SortedMap<String, PendingOptIn> open(Instant now) {
        SortedMap<String, PendingOptIn> open = new TreeMap<>();
        pending.forEach((segment, p) -> {
            if (!p.expired(now)) {
                open.put(segment, p);
            }
        });
        return open;
    }

    public OptIns with(Map<String, PendingOptIn> newPending, List<ConsentRecord> added) {
        List<ConsentRecord> all = new ArrayList<>(consents);
        all.addAll(added);
        if (all.size() > MAX_CONSENT_RECORDS) {
            all = all.subList(all.size() - MAX_CONSENT_RECORDS, all.size());
        }
        return new OptIns(new TreeMap<>(newPending), all);
    }

    /** The latest record of a segment with the given action, or null. */
    public ConsentRecord latest(String segment, ConsentRecord.Action action) {
        for (int i = consents.size() - 1; i >= 0; i--) {
            ConsentRecord c = consents.get(i);
            if (c.segment().equals(segment) && c.action() == action) {
                return c;
            }
        }
        return null;
    }
}
