package dev.dispatch.domain.engagement;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * The lifecycle aggregate: per UTC day, how many subscribers moved from one stage to another
 * ({@link LifecycleMoves}). The running sum up to a day gives the stage counts at its end.
 */
public interface LifecycleStats {

    /** Adds the deltas (atomic increments, one item per day). */
    void add(Map<LocalDate, Map<String, Long>> moves);

    /** Every day with moves up to {@code to} (included), oldest first: the running sums need the days before a period. */
    List<Day> upTo(LocalDate to);

    record Day(LocalDate day, Map<String, Long> moves) {
        public Day {
            moves = Map.copyOf(moves);
        }
    }
}
