package dev.dispatch.domain.engagement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.analytics.DeliveryTrends;
import dev.dispatch.domain.analytics.LifecycleReport;
import dev.dispatch.domain.subscriber.EmailAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LifecycleMovesTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final EmailAddress ADA = EmailAddress.parse("ada@example.com");
    private int ids;

    private SubscriberEngagement apply(SubscriberEngagement state, EngagementType type, Instant at) {
        SubscriberEngagement next = state.apply(EngagementEvent.builder("test", "e" + ids, type, ADA, at).build(), "k" + ids++);
        // as stored: the version moves on each save
        return new SubscriberEngagement(next.email(), next.score(), next.scoreAt(), next.firstSeenAt(), next.lastActivityAt(),
                next.lastDeliveredAt(), next.lastSoftBounceAt(), next.softBounceStreak(), next.opens(), next.clicks(),
                next.recentEvents(), next.inLifecycle(), next.version() + 1);
    }

    private static LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }

    @Test
    void aFirstDeliveryEntersNewAndSchedulesAtRiskAndDormant() {
        SubscriberEngagement none = SubscriberEngagement.none(ADA);
        SubscriberEngagement delivered = apply(none, EngagementType.DELIVERED, T0);
        assertEquals(Map.of(day(T0), Map.of("none>new", 1L), day(T0).plusDays(30), Map.of("new>at-risk", 1L),
                day(T0).plusDays(90), Map.of("at-risk>dormant", 1L)), LifecycleMoves.between(none, delivered, T0));
    }

    @Test
    void aComebackMovesAtRiskToActiveAndKeepsThePastMoveButReschedulesTheFuture() {
        SubscriberEngagement opened = apply(SubscriberEngagement.none(ADA), EngagementType.OPENED, T0);
        Instant back = T0.plus(Duration.ofDays(45));
        SubscriberEngagement again = apply(opened, EngagementType.OPENED, back);
        Map<LocalDate, Map<String, Long>> expected = new TreeMap<>();
        expected.put(day(back), Map.of("at-risk>active", 1L));
        expected.put(day(T0).plusDays(90), Map.of("at-risk>dormant", -1L)); // cancelled: it came back first
        expected.put(day(back).plusDays(30), Map.of("active>at-risk", 1L));
        expected.put(day(back).plusDays(90), Map.of("at-risk>dormant", 1L));
        assertEquals(expected, LifecycleMoves.between(opened, again, back));
    }

    @Test
    void aDeliveryToAnActiveSubscriberMovesNothing() {
        SubscriberEngagement opened = apply(SubscriberEngagement.none(ADA), EngagementType.OPENED, T0);
        Instant later = T0.plus(Duration.ofDays(3));
        assertEquals(Map.of(), LifecycleMoves.between(opened, apply(opened, EngagementType.DELIVERED, later), later));
    }

    @Test
    void aStateSavedBeforeTheAggregateWasKeptEntersItWithItsNextEvent() {
        SubscriberEngagement opened = apply(SubscriberEngagement.none(ADA), EngagementType.OPENED, T0);
        SubscriberEngagement legacy = new SubscriberEngagement(ADA, opened.score(), opened.scoreAt(), opened.firstSeenAt(),
                opened.lastActivityAt(), opened.lastDeliveredAt(), null, 0, 1, 0, opened.recentEvents(), false, 3);
        Instant later = T0.plus(Duration.ofDays(100));
        assertEquals(Map.of(day(later), Map.of("none>dormant", 1L)),
                LifecycleMoves.between(legacy, apply(legacy, EngagementType.DELIVERED, later), later));
    }

    @Test
    void encodeAndDecodeRoundTrip() {
        Map<LocalDate, Map<String, Long>> moves = new TreeMap<>(Map.of(day(T0), new TreeMap<>(Map.of("none>new", 1L, "at-risk>active", -2L)),
                day(T0).plusDays(90), new TreeMap<>(Map.of("at-risk>dormant", 1L))));
        assertEquals(moves, LifecycleMoves.decode(LifecycleMoves.encode(moves)));
        assertEquals(Map.of(), LifecycleMoves.decode(""));
    }

    /**
     * Many subscribers, each with events in random order (late events included): summing every subscriber's moves
     * gives, at the end of each day after the last event, exactly the stages their final states have then, and no
     * stage count ever goes below zero.
     */
    @Test
    void theRunningSumOfMovesIsTheStageCountOfEveryDay() {
        SplittableRandom random = new SplittableRandom(11);
        Map<LocalDate, Map<String, Long>> all = new TreeMap<>();
        List<SubscriberEngagement> finals = new ArrayList<>();
        Instant last = T0;
        for (int s = 0; s < 300; s++) {
            SubscriberEngagement state = SubscriberEngagement.none(ADA);
            int events = 1 + random.nextInt(6);
            for (int e = 0; e < events; e++) {
                Instant at = T0.plus(Duration.ofHours(random.nextInt(24 * 200)));
                EngagementType type = List.of(EngagementType.DELIVERED, EngagementType.OPENED, EngagementType.CLICKED,
                        EngagementType.DEFERRED).get(random.nextInt(4));
                SubscriberEngagement next = apply(state, type, at);
                LifecycleMoves.between(state, next, at).forEach((day, counts) -> counts.forEach(
                        (name, n) -> all.computeIfAbsent(day, d -> new TreeMap<>()).merge(name, n, Long::sum)));
                state = next;
                last = at.isAfter(last) ? at : last;
            }
            finals.add(state);
        }
        List<LifecycleStats.Day> days = all.entrySet().stream().map(e -> new LifecycleStats.Day(e.getKey(), e.getValue())).toList();
        LocalDate from = day(T0).minusDays(1);
        LocalDate to = from.plusDays(365);
        Map<String, Object> report = LifecycleReport.build(new DeliveryTrends.Period(from, to), days, to);
        for (Object d : (List<?>) report.get("days")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> row = (Map<String, Object>) d;
            @SuppressWarnings("unchecked")
            Map<String, Long> stages = (Map<String, Long>) row.get("stages");
            stages.values().forEach(n -> assertTrue(n >= 0, "no stage below zero: " + row));
            LocalDate date = LocalDate.parse((String) row.get("day"));
            Instant endOfDay = date.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).minusMillis(1);
            if (endOfDay.isAfter(last)) {
                Map<LifecycleStage, Long> truth = new EnumMap<>(LifecycleStage.class);
                for (LifecycleStage stage : LifecycleStage.values()) {
                    truth.put(stage, 0L);
                }
                finals.forEach(f -> truth.merge(LifecycleStage.of(f.firstSeenAt(), f.lastActivityAt(), endOfDay), 1L, Long::sum));
                for (LifecycleStage stage : LifecycleStage.values()) {
                    assertEquals(truth.get(stage), stages.get(stage.wireName()), date + " " + stage);
                }
            }
        }
        assertEquals(300L, report.get("total"));
    }
}
