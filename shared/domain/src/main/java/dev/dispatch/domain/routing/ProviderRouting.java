package dev.dispatch.domain.routing;

import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.config.ProviderSettings;
import dev.dispatch.domain.engagement.DeliveryStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * send-batch's provider selection step: per batch, which providers may take traffic (the campaign's pinned list if
 * any, enabled by configuration or override, with a credential, breaker not open), and per recipient the route
 * through them ({@link ProviderSelector}); after the batch, its calls go into each provider's shared health and the
 * breakers move.
 *
 * <p>AWS calls: the shared state (health and overrides, one read) is kept for {@code refresh} and each batch's own
 * health write returns the provider's state, so a batch costs about one write per provider it used; reputations
 * (one query over the last {@value Reputation#DAYS} days' statistics, which also yields the per-recipient-domain
 * reputations) are kept for {@code reputationRefresh}: no read per recipient or per batch.
 */
public class ProviderRouting {
    /** How long a probe's owner may take before another instance may probe instead. */
    static final Duration PROBE_LEASE = Duration.ofMinutes(2);
    /**
     * Calls that all succeeded are added to the shared window at most this often per provider (summed meanwhile), so a
     * healthy provider costs one write per few seconds per container, not one per batch. Failures, failovers and
     * probes are written at once (with the successes held back), so the breaker sees trouble without delay.
     */
    static final Duration SUCCESS_FLUSH = Duration.ofSeconds(5);

    private final DeliveryRules rules;
    private final ProviderCatalog catalog;
    private final ProviderControl control;
    private final DeliveryStats stats;
    private final Clock clock;
    private final Duration refresh;
    private final Duration reputationRefresh;
    private final ProviderSelector selector;

    private volatile Cached<ProviderControl.Snapshot> snapshot;
    /** Health written by this instance after its snapshot was read (newer than the snapshot's). */
    private final Map<String, ProviderHealth> written = new ConcurrentHashMap<>();
    private volatile Cached<Scores> reputations;
    /** Calls not yet added to the shared window, and when each provider's were last added. */
    private final Map<String, CallTally> unflushed = new ConcurrentHashMap<>();
    private final Map<String, Instant> flushedAt = new ConcurrentHashMap<>();

    private record Cached<T>(T value, Instant at) {}

    /** Provider-wide reputations, and per recipient domain group those with enough volume there. */
    private record Scores(Map<String, Reputation> byProvider, Map<String, Map<String, Reputation>> byDomain) {}

    public ProviderRouting(DeliveryRules rules, ProviderCatalog catalog, ProviderControl control, DeliveryStats stats,
            Clock clock, Duration refresh, Duration reputationRefresh) {
        this.rules = rules;
        this.catalog = catalog;
        this.control = control;
        this.stats = stats;
        this.clock = clock;
        this.refresh = refresh;
        this.reputationRefresh = reputationRefresh;
        this.selector = new ProviderSelector(rules);
    }

    /**
     * Selection without shared state: no rules or tiers, no breakers, equal weights, every available provider enabled.
     * For callers (tests, tools) that only need a campaign's pinned order.
     */
    public static ProviderRouting standalone(Clock clock) {
        return new ProviderRouting(DeliveryRules.plain(), null, null, null, clock, Duration.ZERO, Duration.ZERO);
    }

    /** One batch's plan: the candidates, the probes this batch owns, and each recipient's route. */
    public final class BatchPlan {
        private final Candidates candidates;
        private final Set<String> probing;
        private final String owner;

        BatchPlan(Candidates candidates, Set<String> probing, String owner) {
            this.candidates = candidates;
            this.probing = probing;
            this.owner = owner;
        }

        public Candidates candidates() {
            return candidates;
        }

        public Route route(String address, double engagementScore) {
            return selector.select(address, engagementScore, candidates);
        }

        /** Records what the batch did with each provider in the shared health and moves the breakers. */
        public void report(Map<String, CallTally> tallies) {
            ProviderRouting.this.report(this, tallies);
        }

        Set<String> probing() {
            return probing;
        }

        String owner() {
            return owner;
        }
    }

    /**
     * @param pinned the campaign's providers (empty: every configured provider)
     * @param available providers this instance can send through (a credential is set)
     * @param owner this attempt's identity (a probe is taken in its name)
     */
    public BatchPlan plan(List<String> pinned, Collection<String> available, String owner) {
        Instant now = clock.instant();
        ProviderControl.Snapshot shared = snapshot(now);
        Map<String, Integer> weights = new HashMap<>();
        List<String> base = new ArrayList<>(pinned.isEmpty() ? ProviderCatalog.KNOWN.stream().sorted().toList() : pinned);
        for (String p : base) {
            ProviderOverride o = shared.overrides().get(p);
            weights.put(p, o != null && o.weight() != null ? o.weight() : rules.weight(p));
        }
        if (pinned.isEmpty()) {
            base.sort(Comparator.comparingInt((String p) -> -weights.get(p))); // failover order: heaviest first
        }
        List<String> candidates = new ArrayList<>();
        Set<String> probing = new LinkedHashSet<>();
        for (String p : base) {
            if (!available.contains(p) || !enabled(p, shared.overrides().get(p))) {
                continue;
            }
            ProviderHealth h = health(p, shared);
            if (h.state() == CircuitState.CLOSED) {
                candidates.add(p);
            } else if (control != null && probeDue(h, now)
                    && control.claimProbe(p, h, owner, now, now.plus(PROBE_LEASE))) {
                // This batch is the one probe: its calls through p decide whether the breaker closes.
                candidates.add(p);
                probing.add(p);
            }
        }
        Map<String, Double> scores = new HashMap<>();
        reputations(now).forEach((p, r) -> scores.put(p, r.score()));
        Map<String, Map<String, Double>> domainScores = new HashMap<>();
        domainReputations(now).forEach((group, byProvider) -> byProvider.forEach((p, r) ->
                domainScores.computeIfAbsent(group, g -> new HashMap<>()).put(p, r.score())));
        return new BatchPlan(new Candidates(candidates, !pinned.isEmpty(), weights, scores, domainScores), probing, owner);
    }

    private boolean probeDue(ProviderHealth h, Instant now) {
        if (h.state() == CircuitState.OPEN) {
            return h.openedAt() == null || !now.isBefore(h.openedAt().plus(rules.breaker().openFor()));
        }
        return h.state() == CircuitState.HALF_OPEN && (h.probeUntil() == null || now.isAfter(h.probeUntil()));
    }

    private boolean enabled(String provider, ProviderOverride override) {
        return enabled(catalog, provider, override);
    }

    /** Enabled by the operator's override if there is one, else by configuration (no catalog: every provider). */
    static boolean enabled(ProviderCatalog catalog, String provider, ProviderOverride override) {
        if (override != null && override.enabled() != null) {
            return override.enabled();
        }
        return catalog == null || catalog.get(provider).map(ProviderSettings::enabled).orElse(false);
    }

    private void report(BatchPlan plan, Map<String, CallTally> tallies) {
        if (control == null) {
            return;
        }
        Instant now = clock.instant();
        Duration window = rules.breaker().window();
        for (Map.Entry<String, CallTally> e : tallies.entrySet()) {
            String p = e.getKey();
            CallTally tally = e.getValue();
            if (tally.isEmpty()) {
                continue;
            }
            Instant last = flushedAt.get(p);
            if (last != null && !now.isBefore(last.plus(SUCCESS_FLUSH).plus(window))) {
                unflushed.remove(p); // held back so long (no traffic since) that they are outside the window by now
            }
            CallTally total = unflushed.merge(p, tally, CallTally::plus);
            boolean urgent = tally.failures() > 0 || tally.failovers() > 0 || plan.probing().contains(p);
            if (!urgent && last != null && now.isBefore(last.plus(SUCCESS_FLUSH))) {
                continue; // only successes: they join the window with the next write
            }
            unflushed.remove(p);
            flushedAt.put(p, now);
            ProviderHealth after = control.record(p, total, now, window);
            if (plan.probing().contains(p) && tally.calls() > 0) {
                boolean succeeded = tally.failures() == 0;
                control.settleProbe(p, plan.owner(), succeeded, now);
                after = new ProviderHealth(p, succeeded ? CircuitState.CLOSED : CircuitState.OPEN, succeeded ? after.openedAt() : now,
                        null, null, succeeded ? 0 : after.windowCalls(), succeeded ? 0 : after.windowFailures(),
                        after.windowFailovers(), after.opens(), after.failoversTotal(), after.lastFailoverAt());
            } else if (after.state() == CircuitState.CLOSED && after.failingBeyond(rules.breaker()) && control.open(p, now)) {
                after = new ProviderHealth(p, CircuitState.OPEN, now, null, null, after.windowCalls(), after.windowFailures(),
                        after.windowFailovers(), after.opens() + 1, after.failoversTotal(), after.lastFailoverAt());
            }
            written.put(p, after);
        }
        for (String p : plan.probing()) {
            CallTally tally = tallies.getOrDefault(p, CallTally.NONE);
            if (tally.calls() == 0) {
                ProviderHealth seen = health(p, snapshot(now));
                control.returnProbe(p, plan.owner(), seen.openedAt());
                written.remove(p);
            }
        }
    }

    private ProviderHealth health(String provider, ProviderControl.Snapshot shared) {
        ProviderHealth mine = written.get(provider);
        return mine != null ? mine : shared.health(provider);
    }

    private ProviderControl.Snapshot snapshot(Instant now) {
        if (control == null) {
            return new ProviderControl.Snapshot(Map.of(), Map.of());
        }
        Cached<ProviderControl.Snapshot> cached = snapshot;
        if (cached == null || !now.isBefore(cached.at().plus(refresh))) {
            cached = new Cached<>(control.read(ProviderCatalog.KNOWN, now, rules.breaker().window()), now);
            snapshot = cached;
            written.clear(); // the fresh read includes what this instance wrote
        }
        return cached.value();
    }

    /** Each provider's reputation from the last {@value Reputation#DAYS} days (kept for reputationRefresh). */
    public Map<String, Reputation> reputations(Instant now) {
        return scores(now).byProvider();
    }

    /**
     * Per known recipient domain group, the providers that sent at least {@link Reputation#MIN_DOMAIN_SENT} there in
     * the last {@value Reputation#DAYS} days, with their reputation there. Computed from the same query as
     * {@link #reputations} (the per-domain counters live on the same items) and kept as long: no read of its own.
     */
    public Map<String, Map<String, Reputation>> domainReputations(Instant now) {
        return scores(now).byDomain();
    }

    private Scores scores(Instant now) {
        if (stats == null) {
            return new Scores(Map.of(), Map.of());
        }
        Cached<Scores> cached = reputations;
        if (cached == null || !now.isBefore(cached.at().plus(reputationRefresh))) {
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            List<DeliveryStats.Day> days = stats.days(today.minusDays(Reputation.DAYS - 1), today);
            Map<String, Reputation> byProvider = new HashMap<>();
            ProviderCatalog.KNOWN.forEach(p -> byProvider.put(p, Reputation.of(p, days)));
            Map<String, Map<String, Reputation>> byDomain = new HashMap<>();
            ProviderCatalog.KNOWN.forEach(p -> Reputation.byDomain(p, days).forEach((group, r) ->
                    byDomain.computeIfAbsent(group, g -> new HashMap<>()).put(p, r)));
            Map<String, Map<String, Reputation>> frozen = new HashMap<>();
            byDomain.forEach((g, m) -> frozen.put(g, Map.copyOf(m)));
            cached = new Cached<>(new Scores(Map.copyOf(byProvider), Map.copyOf(frozen)), now);
            reputations = cached;
        }
        return cached.value();
    }
}
