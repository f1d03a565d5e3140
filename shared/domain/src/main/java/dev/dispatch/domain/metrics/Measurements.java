package dev.dispatch.domain.metrics;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one unit of work measured: counts per provider (summed here, so a batch of 500 messages is one number per
 * provider and metric), durations, and a few plain properties that say which unit it was (a campaign id, a batch
 * number: never an address). Not thread-safe: one unit of work fills it, then publishes it.
 */
public final class Measurements {
    /** Counts by provider, then metric name. */
    private final Map<String, Map<String, Long>> counts = new TreeMap<>();
    /** Metrics without a dimension, in milliseconds, by name. */
    private final Map<String, Long> millis = new LinkedHashMap<>();
    /** Counts without a dimension, by name. */
    private final Map<String, Long> totals = new LinkedHashMap<>();
    private final Map<String, String> properties = new LinkedHashMap<>();

    /** Adds {@code n} to a per-provider metric of {@link MetricNames#PER_PROVIDER}. */
    public Measurements count(String metric, String provider, long n) {
        if (!MetricNames.PER_PROVIDER.contains(metric)) {
            throw new IllegalArgumentException(metric + " is not a per-provider metric");
        }
        Objects.requireNonNull(provider, "provider");
        if (n < 0) {
            throw new IllegalArgumentException("a count is never negative: " + n);
        }
        counts.computeIfAbsent(provider, p -> new TreeMap<>()).merge(metric, n, Long::sum);
        return this;
    }

    /** Sets a duration metric (no dimension); a negative duration (clock skew) counts as zero. */
    public Measurements duration(String metric, Duration duration) {
        millis.put(metric, Math.max(0, duration.toMillis()));
        return this;
    }

    /** A count without a provider dimension. */
    public Measurements total(String metric, long n) {
        if (n < 0) {
            throw new IllegalArgumentException("a count is never negative: " + n);
        }
        totals.merge(metric, n, Long::sum);
        return this;
    }

    /** Context for whoever reads the log line (not a metric): a campaign id, a batch number. Never an address. */
    public Measurements property(String name, Object value) {
        properties.put(name, String.valueOf(value));
        return this;
    }

    public Map<String, Map<String, Long>> countsByProvider() {
        return Collections.unmodifiableMap(counts);
    }

    public Map<String, Long> milliseconds() {
        return Collections.unmodifiableMap(millis);
    }

    public Map<String, Long> totals() {
        return Collections.unmodifiableMap(totals);
    }

    public Map<String, String> properties() {
        return Collections.unmodifiableMap(properties);
    }

    public boolean isEmpty() {
        return counts.isEmpty() && millis.isEmpty() && totals.isEmpty();
    }
}
