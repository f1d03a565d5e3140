package dev.dispatch.domain.warming;

import dev.dispatch.domain.engagement.DeliveryStats;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * warming-tick's use case: for each enabled plan, reads the window's feedback of the plan's provider from the
 * provider daily statistics, lets {@link WarmingPolicy} decide, and stores the state with its decisions in one
 * conditional write. Two ticks at once (a duplicate schedule delivery) cannot both act: the loser re-reads and, as
 * the winner already acted, finds nothing left to do.
 */
public class WarmingTicker {
    private static final int ATTEMPTS = 3;

    private final WarmingConfig config;
    private final WarmingStore store;
    private final DeliveryStats stats;
    private final Clock clock;

    public WarmingTicker(WarmingConfig config, WarmingStore store, DeliveryStats stats, Clock clock) {
        this.config = config;
        this.store = store;
        this.stats = stats;
        this.clock = clock;
    }

    /** One tick over every enabled plan; the decisions made, oldest first. */
    public List<WarmingDecision> tick() {
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Map<String, FeedbackFigures> figuresCache = new HashMap<>();
        List<WarmingDecision> all = new ArrayList<>();
        for (WarmingPlan plan : config.enabledPlans()) {
            FeedbackFigures figures = figuresCache.computeIfAbsent(plan.provider() + "#" + plan.windowDays(),
                    k -> figures(plan.provider(), today.minusDays(plan.windowDays() - 1L), today));
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                PlanState current = store.find(plan.name()).orElse(null);
                WarmingPolicy.Outcome outcome = WarmingPolicy.decide(plan, current, figures, now);
                if (outcome.decisions().isEmpty() || store.save(outcome.next())) {
                    all.addAll(outcome.decisions());
                    break;
                }
            }
        }
        return all;
    }

    /** How many plans a tick works on. */
    public int enabledPlans() {
        return config.enabledPlans().size();
    }

    /** The provider's sent, bounced and complained counts from {@code from} to {@code to}. */
    public FeedbackFigures figures(String provider, LocalDate from, LocalDate to) {
        long sent = 0;
        long bounced = 0;
        long complained = 0;
        for (DeliveryStats.Day d : stats.days(from, to)) {
            if (d.provider().equals(provider)) {
                sent += d.count("sent");
                bounced += d.count("bounced");
                complained += d.count("complained");
            }
        }
        return new FeedbackFigures(from, to, sent, bounced, complained);
    }
}
