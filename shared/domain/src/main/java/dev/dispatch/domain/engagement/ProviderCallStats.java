package dev.dispatch.domain.engagement;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * send-batch's own figures per provider, folded into the provider daily statistics ({@link DeliveryStats}) with the
 * batch's other counters, so they cost no extra write per recipient and a report over a period reads them with the
 * same days:
 *
 * <ul>
 *   <li><b>send-call latency</b>: how long each provider API call took (one {@code EmailProvider.send} of up to the
 *       provider's batch size, answered or failed), as {@value #CALLS} (calls), {@value #LATENCY_SUM} (their total
 *       milliseconds) and a fixed histogram of non-cumulative buckets, upper bounds inclusive:
 *       {@code callLe50} (0–50 ms), {@code callLe100}, {@code callLe250}, {@code callLe500}, {@code callLe1000},
 *       {@code callLe2500}, {@code callLe5000}, {@code callLe10000}, {@code callOver10000} (above 10 s). Counts add up
 *       over days, so a period's percentiles are estimated from the summed buckets ({@link #summarize});</li>
 *   <li><b>failovers</b> ({@value #FAILOVERS}): recipients moved away from the provider to their next one in a batch
 *       (the provider failed in that batch, or its daily quota was used up): the ledger's {@code failover:<provider>}.</li>
 * </ul>
 */
public final class ProviderCallStats {
    public static final String CALLS = "callCount";
    public static final String LATENCY_SUM = "callMsSum";
    public static final String FAILOVERS = "failovers";
    /** The histogram's upper bounds in milliseconds (inclusive); one more bucket holds what is above the last. */
    public static final List<Long> BOUNDS_MS = List.of(50L, 100L, 250L, 500L, 1000L, 2500L, 5000L, 10000L);
    /** The bucket counters' names, in bound order, the open-ended one last. */
    public static final List<String> BUCKETS;

    static {
        List<String> names = new ArrayList<>();
        BOUNDS_MS.forEach(b -> names.add("callLe" + b));
        names.add("callOver" + BOUNDS_MS.get(BOUNDS_MS.size() - 1));
        BUCKETS = List.copyOf(names);
    }

    private final Map<String, Map<String, Long>> byProvider = new HashMap<>();

    /** Notes one provider call and how long it took. */
    public void call(String provider, Duration took) {
        long ms = Math.max(0, took.toMillis());
        Map<String, Long> counts = byProvider.computeIfAbsent(provider, p -> new HashMap<>());
        counts.merge(CALLS, 1L, Long::sum);
        counts.merge(LATENCY_SUM, ms, Long::sum);
        counts.merge(BUCKETS.get(bucketOf(ms)), 1L, Long::sum);
    }

    /** Notes a recipient moved away from {@code provider} to its next provider. */
    public void failover(String provider) {
        byProvider.computeIfAbsent(provider, p -> new HashMap<>()).merge(FAILOVERS, 1L, Long::sum);
    }

    /** What was noted so far, per provider, and forgets it (each figure is written once). */
    public Map<String, Map<String, Long>> drain() {
        Map<String, Map<String, Long>> drained = new HashMap<>(byProvider);
        byProvider.clear();
        return drained;
    }

    static int bucketOf(long ms) {
        for (int i = 0; i < BOUNDS_MS.size(); i++) {
            if (ms <= BOUNDS_MS.get(i)) {
                return i;
            }
        }
        return BOUNDS_MS.size();
    }

    /**
     * A period's latency from summed counters. Percentiles are estimated from the histogram: the bucket holding the
     * wanted rank, interpolated linearly between its bounds (so at most one bucket's width off); a rank in the
     * open-ended bucket gives its lower bound, 10,000 ms (the estimate is then "at least"). Null figures: no calls.
     */
    public record Latency(long calls, Double meanMs, Double p50Ms, Double p95Ms, Map<String, Long> buckets) {}

    public static Latency summarize(Map<String, Long> counts) {
        long calls = counts.getOrDefault(CALLS, 0L);
        Map<String, Long> buckets = new LinkedHashMap<>();
        long[] histogram = new long[BUCKETS.size()];
        for (int i = 0; i < BUCKETS.size(); i++) {
            histogram[i] = counts.getOrDefault(BUCKETS.get(i), 0L);
            buckets.put(BUCKETS.get(i), histogram[i]);
        }
        if (calls == 0) {
            return new Latency(0, null, null, null, buckets);
        }
        double mean = (double) counts.getOrDefault(LATENCY_SUM, 0L) / calls;
        return new Latency(calls, round(mean), round(percentile(histogram, 0.50)), round(percentile(histogram, 0.95)), buckets);
    }

    /** The {@code q} quantile (0..1) of a histogram over {@link #BOUNDS_MS}; null if it is empty. */
    static Double percentile(long[] histogram, double q) {
        long total = 0;
        for (long n : histogram) {
            total += n;
        }
        if (total == 0) {
            return null;
        }
        double rank = q * total; // the wanted position among the calls, counted from the fastest
        long before = 0;
        for (int i = 0; i < histogram.length; i++) {
            if (histogram[i] > 0 && before + histogram[i] >= rank) {
                double lower = i == 0 ? 0 : BOUNDS_MS.get(i - 1);
                if (i == BOUNDS_MS.size()) {
                    return lower; // open-ended: only its lower bound is known
                }
                double upper = BOUNDS_MS.get(i);
                return lower + (upper - lower) * (rank - before) / histogram[i];
            }
            before += histogram[i];
        }
        return (double) BOUNDS_MS.get(BOUNDS_MS.size() - 1);
    }

    /** Sums the named counters of the days of one provider. */
    public static Map<String, Long> sum(List<DeliveryStats.Day> days, String provider) {
        Map<String, Long> total = new HashMap<>();
        for (DeliveryStats.Day d : days) {
            if (d.provider().equals(provider)) {
                for (String name : names()) {
                    total.merge(name, d.count(name), Long::sum);
                }
            }
        }
        return total;
    }

    /** A provider's failovers on each day of {@code from}..{@code to} (zeros included), oldest first. */
    public static Map<LocalDate, Long> failoversByDay(List<DeliveryStats.Day> days, String provider, LocalDate from,
            LocalDate to) {
        Map<LocalDate, Long> byDay = new LinkedHashMap<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            byDay.put(d, 0L);
        }
        for (DeliveryStats.Day d : days) {
            if (d.provider().equals(provider) && byDay.containsKey(d.day())) {
                byDay.merge(d.day(), d.count(FAILOVERS), Long::sum);
            }
        }
        return byDay;
    }

    /** Every counter this class writes. */
    public static List<String> names() {
        List<String> names = new ArrayList<>(List.of(CALLS, LATENCY_SUM, FAILOVERS));
        names.addAll(BUCKETS);
        return names;
    }

    private static Double round(Double value) {
        return value == null ? null : Math.round(value * 10) / 10.0;
    }
}
