package dev.dispatch.domain.pacing;

import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.config.ProviderSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each provider's configured rate and daily quota, held across every send-batch instance with per-second windows
 * and a per-day counter in the shared store, and its rate lowered by throttling answers (AIMD).
 *
 * <p>Per call: one ADD on this second's window for the call's size; if anything was granted, one ADD on today's quota
 * for that many (rate first: a quota permit taken and then refused by the rate would be lost for the whole day).
 * A quota grant smaller than asked gives the difference back, so today's counter reads what was really granted.
 * Rate permits granted but not used (the call failed, the provider throttled) are simply lost: conservative.
 *
 * <p>No call is granted in the last {@link #WINDOW_GUARD} of a second: between the grant and the provider's receipt
 * of the request lie a ledger write and the request itself, and a call granted at 0.99 s must not land in the next
 * second's window on the provider's side. The AIMD state is read at most every {@link #AIMD_REFRESH} per instance
 * (and at once after a cut): another instance's cut reaches this one within that time, and until then its own
 * throttled calls cut it too (the store lets only one cut per {@link AimdState#CUT_SPACING} through).
 */
public final class SharedPacing implements Pacing {
    public static final Duration WINDOW_GUARD = Duration.ofMillis(100);
    /** A call granted in a second must start before this much of the second is left (see {@link Grant#usableUntil}). */
    public static final Duration START_GUARD = Duration.ofMillis(50);
    public static final Duration AIMD_REFRESH = Duration.ofSeconds(5);
    /** Rate windows are kept a little after their second for the status page; then TTL removes them. */
    private static final Duration WINDOW_KEPT = Duration.ofMinutes(10);
    /** Quota counters are kept two days after their day (yesterday's usage stays readable). */
    private static final Duration QUOTA_KEPT = Duration.ofDays(2);

    private final PacingStore store;
    private final ProviderCatalog catalog;
    private final Clock clock;
    private final Map<String, CachedAimd> aimd = new ConcurrentHashMap<>();
    private final Map<String, LocalDate> quotaUsedUp = new ConcurrentHashMap<>();

    private record CachedAimd(Optional<AimdState> state, Instant readAt) {}

    /**
     * One provider's pacing at a moment, for the status page.
     *
     * @param thisSecond permits asked for in the current second's window (granted are at most the rate)
     */
    public record Snapshot(String provider, int configuredRate, double currentRate, long thisSecond, long today,
            long dailyQuota, Instant lastCut) {}

    public SharedPacing(PacingStore store, ProviderCatalog catalog, Clock clock) {
        this.store = store;
        this.catalog = catalog;
        this.clock = clock;
    }

    @Override
    public Grant acquire(String provider, int wanted) {
        Optional<ProviderSettings> configured = catalog.get(provider);
        if (configured.isEmpty() || wanted <= 0) {
            return Grant.all(Math.max(0, wanted)); // not paced: only configured providers have limits
        }
        ProviderSettings settings = configured.get();
        Instant now = clock.instant();
        LocalDate today = PermitArithmetic.utcDay(now);
        if (today.equals(quotaUsedUp.get(provider))) {
            return new Grant(0, Grant.Limit.QUOTA, PermitArithmetic.startOfNextDay(today));
        }
        long second = now.getEpochSecond();
        Instant nextSecond = Instant.ofEpochSecond(second + 1);
        if (now.plus(WINDOW_GUARD).isAfter(nextSecond) || now.plus(WINDOW_GUARD).equals(nextSecond)) {
            return new Grant(0, Grant.Limit.RATE, nextSecond);
        }
        long limit = Math.max(1, (long) Math.floor(currentRate(provider, settings, now)));
        long after = store.add(PermitArithmetic.rateKey(provider, second), wanted, nextSecond.plus(WINDOW_KEPT));
        int rateGranted = PermitArithmetic.granted(after - wanted, wanted, limit);
        if (rateGranted == 0) {
            return new Grant(0, Grant.Limit.RATE, nextSecond);
        }
        String quotaKey = PermitArithmetic.quotaKey(provider, today);
        Instant quotaExpiry = PermitArithmetic.startOfNextDay(today).plus(QUOTA_KEPT);
        long quotaAfter = store.add(quotaKey, rateGranted, quotaExpiry);
        long quotaBefore = quotaAfter - rateGranted;
        int granted = PermitArithmetic.granted(quotaBefore, rateGranted, settings.dailyQuota());
        if (granted < rateGranted) {
            store.add(quotaKey, -(long) (rateGranted - granted), quotaExpiry); // today's counter = what was granted
        }
        if (quotaBefore + granted >= settings.dailyQuota()) {
            quotaUsedUp.put(provider, today);
        }
        Instant usableUntil = nextSecond.minus(START_GUARD);
        if (granted < rateGranted) {
            return new Grant(granted, Grant.Limit.QUOTA, PermitArithmetic.startOfNextDay(today), usableUntil);
        }
        return new Grant(granted, granted < wanted ? Grant.Limit.RATE : Grant.Limit.NONE,
                granted < wanted ? nextSecond : null, usableUntil);
    }

    @Override
    public void throttled(String provider) {
        Optional<ProviderSettings> configured = catalog.get(provider);
        if (configured.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        double rate = configured.get().ratePerSecond();
        AimdState current = aimdState(provider, now).orElse(null);
        if (current != null && !current.cutAt().isBefore(now.minus(AimdState.CUT_SPACING))) {
            return; // cut moments ago (by us or, as we already know, by another instance): these are its echoes
        }
        AimdState next = AimdState.cut(rate, current, now);
        if (store.cut(provider, next, now.minus(AimdState.CUT_SPACING))) {
            aimd.put(provider, new CachedAimd(Optional.of(next), now));
        } else {
            aimd.put(provider, new CachedAimd(store.aimd(provider), now)); // another instance cut first: take its
        }
    }

    @Override
    public boolean quotaUsedUp(String provider) {
        return PermitArithmetic.utcDay(clock.instant()).equals(quotaUsedUp.get(provider));
    }

    /** The provider's pacing now, read fresh from the store (three reads). */
    public Snapshot snapshot(String provider) {
        ProviderSettings settings = catalog.require(provider);
        Instant now = clock.instant();
        Optional<AimdState> state = store.aimd(provider);
        aimd.put(provider, new CachedAimd(state, now));
        return new Snapshot(provider, settings.ratePerSecond(),
                AimdState.rate(settings.ratePerSecond(), state.orElse(null), now),
                store.read(PermitArithmetic.rateKey(provider, now.getEpochSecond())),
                store.read(PermitArithmetic.quotaKey(provider, PermitArithmetic.utcDay(now))),
                settings.dailyQuota(), state.map(AimdState::cutAt).orElse(null));
    }

    private double currentRate(String provider, ProviderSettings settings, Instant now) {
        return AimdState.rate(settings.ratePerSecond(), aimdState(provider, now).orElse(null), now);
    }

    private Optional<AimdState> aimdState(String provider, Instant now) {
        CachedAimd cached = aimd.get(provider);
        if (cached == null || !cached.readAt().plus(AIMD_REFRESH).isAfter(now)) {
            cached = new CachedAimd(store.aimd(provider), now);
            aimd.put(provider, cached);
        }
        return cached.state();
    }
}
