package dev.dispatch.domain.analytics;

import dev.dispatch.domain.engagement.LifecycleMoves;
import dev.dispatch.domain.engagement.LifecycleStats;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.ArrayList;

/**
 * The lifecycle report: subscribers per stage at the end of each day of a period, and the moves between stages that
 * day, from the lifecycle aggregate ({@link LifecycleStats}): the stage counts of a day are the running sum of every
 * move up to it, so the days before the period are read too (one small item per day with moves).
 */
public final class LifecycleReport {
    private LifecycleReport() {
    }

    /**
     * @param today days after it hold only the moves already scheduled (stages reached with no further engagement):
     *     they are marked {@code projected}
     */
    public static Map<String, Object> build(DeliveryTrends.Period period, List<LifecycleStats.Day> upToEnd, LocalDate today) {
        List<String> stages = LifecycleMoves.stages();
        Map<String, Long> counts = new LinkedHashMap<>();
        stages.forEach(s -> counts.put(s, 0L));
        Map<LocalDate, Map<String, Long>> byDay = new TreeMap<>();
        for (LifecycleStats.Day day : upToEnd) {
            if (day.day().isBefore(period.from())) {
                move(counts, day.moves());
            } else if (!day.day().isAfter(period.to())) {
                byDay.put(day.day(), day.moves());
            }
        }
        Map<String, Long> start = new LinkedHashMap<>(counts);
        List<Map<String, Object>> days = new ArrayList<>();
        Map<String, Long> totals = new TreeMap<>();
        for (LocalDate d = period.from(); !d.isAfter(period.to()); d = d.plusDays(1)) {
            Map<String, Long> moves = byDay.getOrDefault(d, Map.of());
            move(counts, moves);
            moves.forEach((name, n) -> totals.merge(name, n, Long::sum));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("day", d.toString());
            row.put("stages", new LinkedHashMap<>(counts));
            row.put("moves", new TreeMap<>(moves));
            row.put("projected", d.isAfter(today));
            days.add(row);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("report", "lifecycle");
        body.put("from", period.from().toString());
        body.put("to", period.to().toString());
        body.put("stages", stages);
        body.put("atStart", start);
        body.put("atEnd", new LinkedHashMap<>(counts));
        body.put("total", counts.values().stream().mapToLong(Long::longValue).sum());
        body.put("moves", totals);
        body.put("days", days);
        body.put("scope", "addresses with engagement recorded (first event seen = joined); stage counts at the end of each UTC day");
        return body;
    }

    /** "from>to" moves one subscriber out of from (unless "none") and into to. */
    private static void move(Map<String, Long> counts, Map<String, Long> moves) {
        moves.forEach((name, n) -> {
            int arrow = name.indexOf('>');
            if (arrow < 0) {
                return;
            }
            String from = name.substring(0, arrow);
            String to = name.substring(arrow + 1);
            if (!from.equals(LifecycleMoves.NONE)) {
                counts.merge(from, -n, Long::sum);
            }
            counts.merge(to, n, Long::sum);
        });
    }
}
