package dev.dispatch.domain.pacing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.config.ProviderSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SharedPacingTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private final InMemoryPacingStore store = new InMemoryPacingStore();

    private SharedPacing pacing(int rate, long quota) {
        return new SharedPacing(store, ProviderCatalog.of(List.of(
                new ProviderSettings("postmark", rate, quota, 500, true, List.of()))), clock);
    }

    @Test
    void givenPermitsAlreadyCounted_whenGranted_thenOnlyWhatIsLeftUpToTheLimit() {
        assertEquals(50, PermitArithmetic.granted(0, 50, 100));
        assertEquals(30, PermitArithmetic.granted(70, 50, 100));
        assertEquals(0, PermitArithmetic.granted(100, 50, 100));
        assertEquals(0, PermitArithmetic.granted(250, 50, 100), "a window asked beyond its limit grants nothing");
        assertEquals(0, PermitArithmetic.granted(0, 0, 100));
    }

    @Test
    void givenSeveralInstancesInOneSecond_whenTheyAsk_thenTheirGrantsAddUpToTheRateAndTheRestWaitsForTheNextSecond() {
        SharedPacing a = pacing(100, 1_000_000);
        SharedPacing b = pacing(100, 1_000_000); // another instance: its own caches, the same store
        Grant first = a.acquire("postmark", 60);
        Grant second = b.acquire("postmark", 60);
        Grant third = a.acquire("postmark", 60);
        assertEquals(60, first.granted());
        assertEquals(40, second.granted());
        assertEquals(Grant.Limit.RATE, second.limitedBy());
        assertEquals(T0.plusSeconds(1), second.retryAt());
        assertEquals(0, third.granted());

        clock.advance(Duration.ofSeconds(1));
        assertEquals(60, b.acquire("postmark", 60).granted(), "a new second, a new window");
    }

    @Test
    void givenManyThreads_whenTheyRace_thenOneWindowNeverGrantsMoreThanTheRate() throws Exception {
        SharedPacing shared = pacing(20, 1_000_000);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> grants = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            grants.add(pool.submit(() -> pacing(20, 1_000_000).acquire("postmark", 3).granted()));
        }
        int total = 0;
        for (Future<Integer> g : grants) {
            total += g.get();
        }
        pool.shutdown();
        assertEquals(20, total);
        assertEquals(0, shared.acquire("postmark", 1).granted());
    }

    @Test
    void givenAGrant_whenItsSecondIsNearlyOver_thenItMayNoLongerStartACall() {
        Grant g = pacing(100, 1000).acquire("postmark", 10);
        assertTrue(g.usableAt(T0.plusMillis(949)));
        assertFalse(g.usableAt(T0.plusMillis(950)), "a call started now could reach the provider in the next second");
        assertTrue(Grant.all(5).usableAt(T0.plusSeconds(60)));
    }

    @Test
    void givenTheLastTenthOfASecond_whenAsked_thenNothingIsGrantedAndNothingIsCounted() {
        SharedPacing p = pacing(100, 1000);
        clock.set(T0.plusMillis(950));
        Grant g = p.acquire("postmark", 10);
        assertEquals(0, g.granted());
        assertEquals(T0.plusSeconds(1), g.retryAt());
        assertEquals(0, store.calls.get(), "a call granted now could land in the next second at the provider");
    }

    @Test
    void givenADailyQuota_whenItRunsOut_thenThePartLeftIsGrantedTheRestDeferredToTheNextDayAndTodaysCountIsExact() {
        SharedPacing p = pacing(1000, 120);
        assertEquals(100, p.acquire("postmark", 100).granted());
        clock.advance(Duration.ofSeconds(1));
        Grant last = p.acquire("postmark", 100);
        assertEquals(20, last.granted());
        assertEquals(Grant.Limit.QUOTA, last.limitedBy());
        assertEquals(Instant.parse("2026-12-03T00:00:00Z"), last.retryAt());
        assertTrue(p.quotaUsedUp("postmark"));
        assertEquals(120, store.counters.get("quota#postmark#2026-12-02"), "the part not granted was given back");

        int calls = store.calls.get();
        clock.advance(Duration.ofSeconds(1));
        assertEquals(0, p.acquire("postmark", 10).granted());
        assertEquals(calls, store.calls.get(), "a used-up quota is known here: no more storage calls today");

        SharedPacing other = pacing(1000, 120); // an instance that did not see it run out
        assertEquals(0, other.acquire("postmark", 10).granted());
        assertEquals(120, store.counters.get("quota#postmark#2026-12-02"));

        clock.set(Instant.parse("2026-12-03T00:00:01Z"));
        assertFalse(p.quotaUsedUp("postmark"));
        assertEquals(10, p.acquire("postmark", 10).granted(), "a new UTC day, a new quota");
    }

    @Test
    void givenRateAndQuota_whenTheRateRefuses_thenNoQuotaIsTaken() {
        SharedPacing p = pacing(10, 1000);
        assertEquals(10, p.acquire("postmark", 50).granted());
        assertEquals(0, p.acquire("postmark", 50).granted());
        assertEquals(10, store.counters.get("quota#postmark#2026-12-02"), "only what the rate granted counts against the day");
    }

    @Test
    void givenThrottling_whenCut_thenTheRateHalvesOncePerSpacingAndGrowsBackByTwoPercentASecond() {
        SharedPacing p = pacing(100, 1_000_000);
        p.throttled("postmark");
        assertEquals(50, p.acquire("postmark", 500).granted());
        // The echoes of calls already in flight do not cut again within 2 s.
        clock.advance(Duration.ofMillis(500));
        p.throttled("postmark");
        clock.advance(Duration.ofMillis(500)); // T0 + 1 s: rate 50 + 2 = 52
        assertEquals(52, p.acquire("postmark", 500).granted());
        clock.advance(Duration.ofSeconds(2)); // T0 + 3 s: rate 56; a new answer cuts to 28
        p.throttled("postmark");
        assertEquals(28, p.acquire("postmark", 500).granted());
        clock.advance(Duration.ofSeconds(10)); // 28 + 20
        assertEquals(48, p.acquire("postmark", 500).granted());
        clock.advance(Duration.ofSeconds(60));
        assertEquals(100, p.acquire("postmark", 500).granted(), "never above the configured rate");
    }

    @Test
    void givenAnotherInstanceCut_whenThisOneRefreshes_thenItPacesAtTheLowerRateToo() {
        SharedPacing a = pacing(100, 1_000_000);
        SharedPacing b = pacing(100, 1_000_000);
        assertEquals(100, b.acquire("postmark", 500).granted()); // b has read the (absent) state now
        a.throttled("postmark");
        clock.advance(SharedPacing.AIMD_REFRESH);
        // 5 s after the cut: 50 + 10
        assertEquals(60, b.acquire("postmark", 500).granted());
        b.throttled("postmark"); // 5 s after a's cut: allowed, halves what is in effect
        clock.advance(Duration.ofSeconds(1));
        assertEquals(32, b.acquire("postmark", 500).granted());
    }

    @Test
    void givenAStoreThatRefusesTheCut_whenThrottled_thenTheOtherInstancesCutIsTaken() {
        SharedPacing a = pacing(100, 1_000_000);
        SharedPacing b = pacing(100, 1_000_000);
        assertEquals(100, b.acquire("postmark", 500).granted()); // b caches "no cut"
        a.throttled("postmark");
        clock.advance(Duration.ofMillis(1500));
        b.throttled("postmark"); // refused by the store (a cut 1.5 s ago): b reads a's
        clock.advance(Duration.ofMillis(500)); // 2 s after a's cut: 50 + 4
        assertEquals(54, b.acquire("postmark", 500).granted());
    }

    @Test
    void givenTheAimdFloor_whenCutRepeatedly_thenNeverBelowOneMessageASecond() {
        SharedPacing p = pacing(4, 1_000_000);
        for (int i = 0; i < 5; i++) {
            p.throttled("postmark");
            clock.advance(Duration.ofMillis(2001));
        }
        assertTrue(AimdState.rate(4, store.aimd("postmark").orElseThrow(), clock.instant()) >= 1.0);
        clock.set(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        assertTrue(p.acquire("postmark", 10).granted() >= 1);
    }

    @Test
    void givenAnUnconfiguredProvider_whenAsked_thenEverythingIsGranted() {
        assertEquals(7, pacing(1, 1).acquire("ses", 7).granted());
        assertEquals(0, store.calls.get());
    }
}
