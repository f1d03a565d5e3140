package dev.dispatch.domain.routing;

import java.util.Locale;

/** A provider's circuit breaker, as every send-batch instance sees it. */
public enum CircuitState {
    /** Traffic flows; errors are counted over the rolling window. */
    CLOSED,
    /** Too many errors: no new traffic until the open time has passed and a probe succeeds. */
    OPEN,
    /** One send-batch instance (the probe's owner) is trying one call; everyone else treats it as open. */
    HALF_OPEN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
