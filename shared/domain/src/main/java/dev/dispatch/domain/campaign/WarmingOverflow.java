package dev.dispatch.domain.campaign;

import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.routing.ProviderAvailability;
import dev.dispatch.domain.warming.WarmingAllowance;
import dev.dispatch.domain.warming.WarmingConfig;
import dev.dispatch.domain.warming.WarmingPlan;
import dev.dispatch.domain.warming.WarmingStore;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code overAllowance: route}: where the recipients over a warming plan's allowance go instead of waiting. Only to
 * providers the campaign may use (its pinned list; none pinned: every provider) other than the plan's own, that are
 * enabled and healthy now ({@link ProviderAvailability}), in the campaign's order. A provider under an enabled plan of
 * its own takes only what its own allowance grants (reserved here from that plan's day, as its own campaigns would);
 * one that no plan caps takes the rest. What nobody may take is not placed: it waits for the plan's next release, as
 * with {@code defer}.
 */
final class WarmingOverflow {

    /**
     * Consecutive recipients of one release step that go the same way: the plan's own allowance ({@code overflow}
     * null), or over it through the providers of {@code overflow}.
     */
    record Share(int count, OverflowRoute overflow) {}

    private final WarmingConfig config;
    private final WarmingStore plans;
    private final ProviderAvailability providers;

    WarmingOverflow(WarmingConfig config, WarmingStore plans, ProviderAvailability providers) {
        this.config = config;
        this.plans = plans;
        this.providers = providers;
    }

    /**
     * Places up to {@code count} recipients over {@code plan}'s allowance; the shares' counts add up to at most
     * {@code count} (empty: nobody may take them now).
     *
     * @param campaignProviders the campaign's pinned providers (empty: any)
     */
    List<Share> place(List<String> campaignProviders, WarmingPlan plan, int count, Instant now) {
        List<String> allowed = campaignProviders.isEmpty() ? ProviderCatalog.KNOWN.stream().sorted().toList()
                : campaignProviders;
        List<String> others = allowed.stream().filter(p -> !p.equals(plan.provider())).distinct().toList();
        if (others.isEmpty() || count <= 0) {
            return List.of();
        }
        List<String> healthy = providers.healthy(others, now);
        Map<String, WarmingPlan> capping = new HashMap<>();
        Map<String, Long> allowances = new HashMap<>();
        for (String p : healthy) {
            Optional<WarmingPlan> own = enabledPlanFor(config, p);
            allowances.put(p, own.map(o -> WarmingAllowance.releasedBy(o, plans.find(o.name()).orElse(null), now))
                    .orElse(WarmingAllowance.UNCAPPED));
            own.ifPresent(o -> capping.put(p, o));
        }
        // Failover after the chosen one goes only to providers no plan caps: nothing of theirs needs reserving.
        List<String> uncapped = healthy.stream().filter(p -> allowances.get(p) == WarmingAllowance.UNCAPPED).toList();
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        List<Share> shares = new ArrayList<>();
        long left = count;
        for (String p : healthy) {
            long allowance = allowances.get(p);
            if (left == 0) {
                break;
            }
            if (allowance <= 0) {
                continue; // warming itself with nothing left today (or paused)
            }
            long take = allowance == WarmingAllowance.UNCAPPED ? left
                    : plans.reserve(capping.get(p).name(), day, left, allowance);
            if (take > 0) {
                List<String> order = new ArrayList<>();
                order.add(p);
                uncapped.stream().filter(u -> !u.equals(p)).forEach(order::add);
                shares.add(new Share((int) take, new OverflowRoute(plan.name(), order)));
                left -= take;
            }
        }
        return shares;
    }

    /** The first enabled plan warming one of {@code provider}'s pools (the one its campaigns are pooled by). */
    static Optional<WarmingPlan> enabledPlanFor(WarmingConfig config, String provider) {
        return config.enabledPlans().stream().filter(p -> p.provider().equals(provider)).findFirst();
    }
}
