package dev.dispatch.domain.engagement;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * How applying one event moves a subscriber through the lifecycle stages, as dated counter deltas for
 * {@link LifecycleStats}: {@code "<from>><to>"} (e.g. {@code "active>at-risk"}, {@code "none>new"} when a subscriber
 * is first seen) per UTC day.
 *
 * <p>A stage also changes with no event at all (30 days without an open or click turn {@code active} into
 * {@code at-risk}), so each subscriber contributes its <em>timeline</em>: the move the event makes now, and the
 * moves its stored state schedules for later ({@code last activity + 30 days}, {@code + 90 days}). Applying an event
 * at {@code t} cancels the moves the old state had scheduled after {@code t} and schedules the new state's, so the
 * running sum of every move up to a day is the number of subscribers in each stage at the end of that day, and the
 * past is never rewritten. Stages follow {@link LifecycleStage#of} with the first event seen as the join time
 * (the aggregate counts addresses with engagement recorded, not profiles). An event older than what the state
 * already reflects is dated at that point instead ({@code t} never goes back), so late events don't rewrite days
 * already counted.
 */
public final class LifecycleMoves {
    public static final String NONE = "none";
    private static final Duration AFTER = Duration.ofMillis(1);

    private LifecycleMoves() {
    }

    /**
     * The deltas of moving from {@code before} to {@code after}; empty when nothing moves. A {@code before} not
     * {@link SubscriberEngagement#inLifecycle in the aggregate} (never seen, or saved before the aggregate was kept)
     * enters it: nothing of it is there to move out of or cancel.
     */
    public static Map<LocalDate, Map<String, Long>> between(SubscriberEngagement before, SubscriberEngagement after,
            Instant eventAt) {
        boolean seen = before.inLifecycle() && before.firstSeenAt() != null;
        Instant t = latest(Stream.of(eventAt, asOf(before), asOf(after)));
        Map<LocalDate, Map<String, Long>> moves = new TreeMap<>();
        String from = seen ? stageAt(before, t).wireName() : NONE;
        String to = stageAt(after, t).wireName();
        if (!from.equals(to)) {
            add(moves, day(t), from + ">" + to, 1);
        }
        if (seen) {
            for (Move m : scheduled(before, t)) {
                add(moves, m.day, m.name, -1);
            }
        }
        for (Move m : scheduled(after, t)) {
            add(moves, m.day, m.name, 1);
        }
        moves.values().removeIf(Map::isEmpty);
        return moves;
    }

    /** The stage names, in the order reports show them. */
    public static List<String> stages() {
        return Stream.of(LifecycleStage.values()).map(LifecycleStage::wireName).toList();
    }

    /** A compact text form of the deltas, noted on the event's history entry so that a retry makes the same ones. */
    public static String encode(Map<LocalDate, Map<String, Long>> moves) {
        StringBuilder text = new StringBuilder();
        moves.forEach((day, counts) -> counts.forEach((name, delta) -> {
            if (!text.isEmpty()) {
                text.append(';');
            }
            text.append(day).append(' ').append(name).append('=').append(delta);
        }));
        return text.toString();
    }

    public static Map<LocalDate, Map<String, Long>> decode(String text) {
        Map<LocalDate, Map<String, Long>> moves = new TreeMap<>();
        if (text == null || text.isEmpty()) {
            return moves;
        }
        for (String part : text.split(";")) {
            int space = part.indexOf(' ');
            int eq = part.lastIndexOf('=');
            add(moves, LocalDate.parse(part.substring(0, space)), part.substring(space + 1, eq),
                    Long.parseLong(part.substring(eq + 1)));
        }
        return moves;
    }

    private record Move(LocalDate day, String name) {
    }

    /** The moves the state makes by itself after {@code t}: where its stage function changes. */
    private static List<Move> scheduled(SubscriberEngagement state, Instant t) {
        TreeSet<Instant> bounds = new TreeSet<>();
        for (Instant anchor : new Instant[] {state.firstSeenAt(), state.lastActivityAt()}) {
            if (anchor != null) {
                bounds.add(anchor.plus(LifecycleStage.ACTIVE_WITHIN));
                bounds.add(anchor.plus(LifecycleStage.DORMANT_AFTER));
            }
        }
        List<Move> moves = new ArrayList<>();
        for (Instant b : bounds.tailSet(t, false)) {
            LifecycleStage from = stageAt(state, b);
            LifecycleStage to = stageAt(state, b.plus(AFTER));
            if (from != to) {
                moves.add(new Move(day(b), from.wireName() + ">" + to.wireName()));
            }
        }
        return moves;
    }

    private static LifecycleStage stageAt(SubscriberEngagement state, Instant at) {
        return LifecycleStage.of(state.firstSeenAt(), state.lastActivityAt(), at);
    }

    /** The latest event time the state reflects. */
    private static Instant asOf(SubscriberEngagement s) {
        return latest(Stream.of(s.scoreAt(), s.firstSeenAt(), s.lastActivityAt(), s.lastDeliveredAt(), s.lastSoftBounceAt()));
    }

    private static Instant latest(Stream<Instant> instants) {
        return instants.filter(java.util.Objects::nonNull).max(Instant::compareTo).orElse(Instant.EPOCH);
    }

    private static void add(Map<LocalDate, Map<String, Long>> moves, LocalDate day, String name, long delta) {
        Map<String, Long> counts = moves.computeIfAbsent(day, d -> new TreeMap<>());
        long sum = counts.getOrDefault(name, 0L) + delta;
        if (sum == 0) {
            counts.remove(name);
        } else {
            counts.put(name, sum);
        }
    }

    private static LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }
}
