package dev.dispatch.domain.subscriber;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Changes to the subscriber counters caused by writes, aggregated so that a whole import chunk costs one counter
 * update per touched scope. Scope {@link #ALL} counts everyone; every other scope is a segment name.
 */
public final class CounterDelta {
    public static final String ALL = "*";

    private final Map<String, Map<SubscriberStatus, Long>> changes = new TreeMap<>();

    /** Records the move of one subscriber from {@code before} to {@code after}; either may be null (absent). */
    public CounterDelta record(Subscriber before, Subscriber after) {
        if (before != null) {
            count(before, -1);
        }
        if (after != null) {
            count(after, +1);
        }
        return this;
    }

    public synchronized CounterDelta addAll(CounterDelta other) {
        other.changes.forEach((scope, byStatus) -> byStatus.forEach((status, n) -> add(scope, status, n)));
        return this;
    }

    private void count(Subscriber subscriber, long sign) {
        add(ALL, subscriber.status(), sign);
        for (String segment : subscriber.segments()) {
            add(segment, subscriber.status(), sign);
        }
    }

    private synchronized void add(String scope, SubscriberStatus status, long n) {
        Map<SubscriberStatus, Long> byStatus = changes.computeIfAbsent(scope, s -> new EnumMap<>(SubscriberStatus.class));
        long total = byStatus.getOrDefault(status, 0L) + n;
        if (total == 0) {
            byStatus.remove(status);
            if (byStatus.isEmpty()) {
                changes.remove(scope);
            }
        } else {
            byStatus.put(status, total);
        }
    }

    /** Non-zero changes by scope, then by status. */
    public synchronized Map<String, Map<SubscriberStatus, Long>> changes() {
        Map<String, Map<SubscriberStatus, Long>> copy = new TreeMap<>();
        changes.forEach((scope, byStatus) -> copy.put(scope, Collections.unmodifiableMap(new EnumMap<>(byStatus))));
        return Collections.unmodifiableMap(copy);
    }

    public synchronized boolean isEmpty() {
        return changes.isEmpty();
    }
}
