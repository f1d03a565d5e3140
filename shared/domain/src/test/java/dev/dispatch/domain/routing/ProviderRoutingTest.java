package dev.dispatch.domain.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.config.ProviderSettings;
import dev.dispatch.domain.engagement.DeliveryStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderRoutingTest {
    private static final List<String> ALL = List.of("ses", "sendgrid", "postmark");
    private static final DeliveryRules RULES = new DeliveryRules(List.of(), List.of(),
            Map.of("ses", 50, "sendgrid", 30, "postmark", 20),
            new DeliveryRules.Breaker(Duration.ofSeconds(60), 3, 50, Duration.ofSeconds(30)));

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
    private final InMemoryProviderControl control = new InMemoryProviderControl();
    private final List<DeliveryStats.Day> days = new ArrayList<>();
    private final DeliveryStats stats = new DeliveryStats() {
        @Override
        public void add(LocalDate day, String provider, Map<String, Long> counts) {
            days.add(new Day(day, provider, counts));
        }

        @Override
        public List<Day> days(LocalDate from, LocalDate to) {
            return days.stream().filter(d -> !d.day().isBefore(from) && !d.day().isAfter(to)).toList();
        }
    };

    private ProviderRouting routing(ProviderCatalog catalog) {
        return new ProviderRouting(RULES, catalog, control, stats, clock, Duration.ZERO, Duration.ZERO);
    }

    private static ProviderCatalog catalog(boolean postmarkEnabled) {
        return ProviderCatalog.of(List.of(new ProviderSettings("ses", 14, 50000, 50, true, List.of()),
                new ProviderSettings("sendgrid", 100, 100000, 1000, true, List.of()),
                new ProviderSettings("postmark", 50, 100000, 500, postmarkEnabled, List.of())));
    }

    @Test
    void unpinnedCandidatesAreTheEnabledReadyOnesHeaviestFirst() {
        assertEquals(List.of("ses", "sendgrid", "postmark"), routing(catalog(true)).plan(List.of(), ALL, "a").candidates().providers());
        assertEquals(List.of("ses", "sendgrid"), routing(catalog(false)).plan(List.of(), ALL, "a").candidates().providers());
        assertEquals(List.of("ses", "postmark"), routing(catalog(true)).plan(List.of(), List.of("ses", "postmark"), "a")
                .candidates().providers(), "a provider without a credential is no candidate");
    }

    @Test
    void aPinnedListKeepsItsOrderAndOnlyItsProviders() {
        ProviderRouting.BatchPlan plan = routing(catalog(true)).plan(List.of("postmark", "ses"), ALL, "a");
        assertEquals(List.of("postmark", "ses"), plan.candidates().providers());
        assertTrue(plan.candidates().pinned());
    }

    @Test
    void anOverrideDisablesOrReweighsAProviderAndWinsOverTheFile() {
        control.override(new ProviderOverride("ses", false, null, clock.instant(), "key-abc"));
        control.override(new ProviderOverride("postmark", true, 90, clock.instant(), "key-abc"));
        ProviderRouting.BatchPlan plan = routing(catalog(false)).plan(List.of(), ALL, "a");
        assertEquals(List.of("postmark", "sendgrid"), plan.candidates().providers());
        assertEquals(90, plan.candidates().weight("postmark"));
    }

    @Test
    void failuresOverTheThresholdOpenTheBreakerAndTheProviderGetsNoNewTraffic() {
        ProviderRouting routing = routing(catalog(true));
        // Two failed calls of two: below the minimum of 3 calls, still closed.
        routing.plan(List.of(), ALL, "a").report(Map.of("sendgrid", new CallTally(2, 2, 10)));
        assertEquals(CircuitState.CLOSED, control.health.get("sendgrid").state());
        routing.plan(List.of(), ALL, "b").report(Map.of("sendgrid", new CallTally(1, 1, 5), "ses", new CallTally(4, 0, 0)));
        assertEquals(CircuitState.OPEN, control.health.get("sendgrid").state());
        assertEquals(CircuitState.CLOSED, control.health.get("ses").state());
        assertEquals(List.of("ses", "postmark"), routing.plan(List.of(), ALL, "c").candidates().providers());
        clock.advance(Duration.ofSeconds(29));
        assertFalse(routing.plan(List.of(), ALL, "d").candidates().providers().contains("sendgrid"), "still open");
    }

    @Test
    void afterTheOpenTimeExactlyOneBatchProbesAndItsSuccessClosesTheBreaker() {
        open("sendgrid");
        clock.advance(Duration.ofSeconds(31));
        ProviderRouting one = routing(catalog(true));
        ProviderRouting other = routing(catalog(true)); // another send-batch instance
        ProviderRouting.BatchPlan probe = one.plan(List.of(), ALL, "prober");
        ProviderRouting.BatchPlan second = other.plan(List.of(), ALL, "other");
        assertTrue(probe.candidates().providers().contains("sendgrid"));
        assertFalse(second.candidates().providers().contains("sendgrid"), "only one instance probes");
        assertEquals(CircuitState.HALF_OPEN, control.health.get("sendgrid").state());
        probe.report(Map.of("sendgrid", new CallTally(1, 0, 0)));
        assertEquals(CircuitState.CLOSED, control.health.get("sendgrid").state());
        assertTrue(other.plan(List.of(), ALL, "later").candidates().providers().contains("sendgrid"));
    }

    @Test
    void aFailedProbeOpensTheBreakerAgainForAnotherOpenTime() {
        open("postmark");
        clock.advance(Duration.ofSeconds(31));
        ProviderRouting routing = routing(catalog(true));
        ProviderRouting.BatchPlan probe = routing.plan(List.of(), ALL, "prober");
        probe.report(Map.of("postmark", new CallTally(1, 1, 3)));
        ProviderHealth h = control.health.get("postmark");
        assertEquals(CircuitState.OPEN, h.state());
        assertEquals(clock.instant(), h.openedAt());
        clock.advance(Duration.ofSeconds(10));
        assertFalse(routing.plan(List.of(), ALL, "x").candidates().providers().contains("postmark"));
    }

    @Test
    void aProbeWithoutTrafficIsGivenBackForTheNextBatch() {
        open("postmark");
        clock.advance(Duration.ofSeconds(31));
        ProviderRouting routing = routing(catalog(true));
        routing.plan(List.of(), ALL, "prober").report(Map.of("ses", new CallTally(1, 0, 0)));
        assertEquals(CircuitState.OPEN, control.health.get("postmark").state());
        assertTrue(routing.plan(List.of(), ALL, "next").candidates().providers().contains("postmark"));
    }

    @Test
    void aProberThatDiedIsReplacedAfterItsLease() {
        open("ses");
        clock.advance(Duration.ofSeconds(31));
        routing(catalog(true)).plan(List.of(), ALL, "dies"); // never reports
        assertFalse(routing(catalog(true)).plan(List.of(), ALL, "b").candidates().providers().contains("ses"));
        clock.advance(ProviderRouting.PROBE_LEASE.plusSeconds(1));
        assertTrue(routing(catalog(true)).plan(List.of(), ALL, "c").candidates().providers().contains("ses"));
    }

    @Test
    void successesAreWrittenEveryFewSecondsAndFailuresAtOnceWithTheHeldBackSuccesses() {
        ProviderRouting routing = routing(catalog(true));
        routing.plan(List.of(), ALL, "a").report(Map.of("ses", new CallTally(1, 0, 0)));
        assertEquals(1, control.health.get("ses").windowCalls(), "the first batch is written");
        routing.plan(List.of(), ALL, "b").report(Map.of("ses", new CallTally(2, 0, 0)));
        routing.plan(List.of(), ALL, "c").report(Map.of("ses", new CallTally(3, 0, 0)));
        assertEquals(1, control.health.get("ses").windowCalls(), "successes are held back for a few seconds");
        routing.plan(List.of(), ALL, "d").report(Map.of("ses", new CallTally(1, 1, 4)));
        assertEquals(7, control.health.get("ses").windowCalls(), "a failure is written at once, with what was held back");
        assertEquals(1, control.health.get("ses").windowFailures());
        routing.plan(List.of(), ALL, "e").report(Map.of("ses", new CallTally(2, 0, 0)));
        clock.advance(ProviderRouting.SUCCESS_FLUSH);
        routing.plan(List.of(), ALL, "f").report(Map.of("ses", new CallTally(1, 0, 0)));
        assertEquals(10, control.health.get("ses").windowCalls());
        routing.plan(List.of(), ALL, "g").report(Map.of("ses", new CallTally(5, 0, 0))); // held back, then no traffic
        clock.advance(Duration.ofMinutes(2));
        routing.plan(List.of(), ALL, "h").report(Map.of("ses", new CallTally(0, 1, 0)));
        assertEquals(10, control.health.get("ses").windowCalls(), "calls held back past the window are not added late");
    }

    @Test
    void reputationsComeFromTheLastSevenDaysOfStatistics() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        days.add(new DeliveryStats.Day(today, "ses", Map.of("sent", 1000L, "delivered", 980L, "bounced", 20L, "opened", 300L)));
        days.add(new DeliveryStats.Day(today.minusDays(1), "postmark", Map.of("sent", 1000L, "delivered", 1000L, "complained", 2L)));
        days.add(new DeliveryStats.Day(today.minusDays(8), "postmark", Map.of("sent", 100000L, "bounced", 90000L)));
        days.add(new DeliveryStats.Day(today, "sendgrid", Map.of("sent", 49L, "bounced", 49L)));
        Map<String, Double> scores = routing(catalog(true)).plan(List.of(), ALL, "a").candidates().reputations();
        // ses: 80 - 400 x 0.02 + 50 x 300/980 = 87.3; postmark: 80 - 20000 x 0.002 = 40; sendgrid: neutral under 50 sent
        assertEquals(87.3, scores.get("ses"), 0.05);
        assertEquals(40.0, scores.get("postmark"), 0.05);
        assertEquals(Reputation.NEUTRAL, scores.get("sendgrid"));
        Reputation awful = Reputation.of("x", List.of(new DeliveryStats.Day(today, "x", Map.of("sent", 100L, "complained", 5L))));
        assertEquals(0.0, awful.score(), "clamped at 0");
    }

    @Test
    void domainReputationsComeFromTheSameReadForProvidersWithEnoughVolumeThere() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        Map<String, Long> ses = new java.util.HashMap<>(Map.of("sent", 1000L, "delivered", 980L, "bounced", 20L, "opened", 300L));
        // at Yahoo: 200 sent, 20 bounced (10 %), 180 delivered, 36 opened -> 80 - 40 + 50 x 0.2 = 50
        ses.putAll(Map.of("domain.yahoo.com.sent", 200L, "domain.yahoo.com.bounced", 20L, "domain.yahoo.com.delivered", 180L,
                "domain.yahoo.com.opened", 36L));
        // at iCloud: too few sends to say anything; and the catch-all group never gets a domain score
        ses.putAll(Map.of("domain.icloud.com.sent", 99L, "domain.other.sent", 500L, "domain.other.delivered", 500L));
        days.add(new DeliveryStats.Day(today, "ses", ses));
        days.add(new DeliveryStats.Day(today.minusDays(8), "postmark", Map.of("domain.yahoo.com.sent", 5000L)));
        int[] reads = {0};
        DeliveryStats counted = new DeliveryStats() {
            @Override
            public void add(LocalDate day, String provider, Map<String, Long> counts) {
                stats.add(day, provider, counts);
            }

            @Override
            public List<Day> days(LocalDate from, LocalDate to) {
                reads[0]++;
                return stats.days(from, to);
            }
        };
        ProviderRouting routing = new ProviderRouting(RULES, catalog(true), control, counted, clock, Duration.ZERO,
                Duration.ofMinutes(5));
        Candidates candidates = routing.plan(List.of(), ALL, "a").candidates();
        assertEquals(Map.of("yahoo.com", Map.of("ses", 50.0)), candidates.domainReputations());
        assertEquals(50.0, candidates.reputationAt("ses", "yahoo.com").getAsDouble());
        assertTrue(candidates.reputationAt("postmark", "yahoo.com").isEmpty(), "outside the seven days");
        assertEquals(87.3, candidates.reputation("ses"), 0.05);
        for (int i = 0; i < 20; i++) {
            routing.plan(List.of(), ALL, "b" + i);
        }
        assertEquals(1, reads[0], "provider-wide and per-domain reputations: one statistics read, kept for the refresh");
        clock.advance(Duration.ofMinutes(5));
        routing.plan(List.of(), ALL, "c");
        assertEquals(2, reads[0]);
    }

    private void open(String provider) {
        control.record(provider, new CallTally(3, 3, 0), clock.instant(), RULES.breaker().window());
        control.open(provider, clock.instant());
    }

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
