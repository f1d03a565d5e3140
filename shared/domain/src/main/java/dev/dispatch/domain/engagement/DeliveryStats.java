package dev.dispatch.domain.engagement;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * Per provider per day (UTC): sent and errors as recorded by the send path (with its provider call latency and
 * failovers, {@link ProviderCallStats}), and what providers reported after (delivered, bounced, complained, opened,
 * clicked, ...). Provider selection, IP warming and the reports read these.
 *
 * <p>Beside the totals, the same counters per recipient domain group ({@link RecipientDomains}) are kept in the same
 * item as {@code domain.<group>.<counter>}: moved by the same increment as the totals (no extra request, and the
 * same exactly-once note covers both), read by the same query.
 */
public interface DeliveryStats {

    /** Adds to the day's counters of one provider (atomic increments). */
    void add(LocalDate day, String provider, Map<String, Long> counts);

    /** Every (day, provider) with counters from {@code from} to {@code to}, both included, by day then provider. */
    List<Day> days(LocalDate from, LocalDate to);

    record Day(LocalDate day, String provider, Map<String, Long> counts) {
        public Day {
            counts = Map.copyOf(counts);
        }

        public long count(String name) {
            return counts.getOrDefault(name, 0L);
        }

        /** A recipient domain group's count of {@code name} (see {@link RecipientDomains}). */
        public long count(String group, String name) {
            return counts.getOrDefault(RecipientDomains.counter(group, name), 0L);
        }

        /** The per-domain counters, by group. */
        public Map<String, Map<String, Long>> domains() {
            return RecipientDomains.split(counts);
        }
    }
}
