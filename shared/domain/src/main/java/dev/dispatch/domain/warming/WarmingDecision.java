package dev.dispatch.domain.warming;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One thing warming-tick or an operator did to a plan, with why and the figures it saw, so that anyone reading
 * {@code GET /system/warming} can check the decision against the thresholds.
 *
 * @param at when
 * @param plan the plan's name
 * @param action what was done
 * @param reason why, in words (thresholds and rates included)
 * @param by {@code warming-tick}, or the operator's API key id ({@code key-<12 hex>})
 * @param dayBefore the warm-up day before the decision
 * @param dayAfter the warm-up day after it
 * @param figures the numbers it was based on (sent, bounced, complained, rates, window), empty for an operator's
 */
public record WarmingDecision(Instant at, String plan, Action action, String reason, String by, int dayBefore,
        int dayAfter, Map<String, Double> figures) {
    public static final String TICKER = "warming-tick";

    public enum Action {
        STARTED, ADVANCED, HELD, STEPPED_BACK, PAUSED, RESUMED, WARMED, OPERATOR_PAUSED, OPERATOR_RESUMED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Action fromWire(String value) {
            return valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    public WarmingDecision {
        figures = figures == null ? Map.of() : new TreeMap<>(figures);
    }
}
