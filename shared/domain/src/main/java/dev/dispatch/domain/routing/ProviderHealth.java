package dev.dispatch.domain.routing;

import java.time.Instant;

/**
 * One provider's shared health: its breaker state and the calls, failures (errors, timeouts, throttling) and failovers
 * counted over the rolling window, plus totals kept for operators.
 *
 * @param openedAt when the breaker last opened (null if never)
 * @param probeOwner the send-batch attempt probing while {@link CircuitState#HALF_OPEN}
 * @param probeUntil after this a probe whose owner died may be taken over
 * @param failoversTotal recipients moved away from this provider after it failed, ever
 * @param lastFailoverAt when that last happened (null if never)
 */
public record ProviderHealth(String provider, CircuitState state, Instant openedAt, String probeOwner, Instant probeUntil,
        long windowCalls, long windowFailures, long windowFailovers, long opens, long failoversTotal, Instant lastFailoverAt) {

    public static ProviderHealth fresh(String provider) {
        return new ProviderHealth(provider, CircuitState.CLOSED, null, null, null, 0, 0, 0, 0, 0, null);
    }

    /** Whether the window's failure share crosses the breaker's threshold. */
    public boolean failingBeyond(DeliveryRules.Breaker breaker) {
        return windowCalls >= breaker.minimumCalls() && windowFailures * 100 >= (long) breaker.failurePercent() * windowCalls;
    }
}
