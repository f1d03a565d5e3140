package dev.dispatch.domain.routing;

import dev.dispatch.domain.config.ProviderCatalog;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Which providers may take new traffic now, for callers outside send-batch (enqueue-campaign choosing where a warming
 * plan's overflow goes): enabled (configuration, or the operator's override) and the shared circuit breaker closed. A
 * half-open breaker counts as not healthy here: only send-batch's single probe may use it.
 */
public interface ProviderAvailability {

    /** Every provider, always: for tests and tools without shared state. */
    ProviderAvailability ALL = (providers, now) -> List.copyOf(providers);

    /** The providers of {@code providers} that may take new traffic at {@code now}, in the given order. */
    List<String> healthy(List<String> providers, Instant now);

    /** From the shared control state (one read of health and overrides per call). */
    static ProviderAvailability shared(ProviderCatalog catalog, ProviderControl control, Duration window) {
        return (providers, now) -> {
            ProviderControl.Snapshot snapshot = control.read(providers, now, window);
            return providers.stream()
                    .filter(p -> ProviderRouting.enabled(catalog, p, snapshot.overrides().get(p)))
                    .filter(p -> snapshot.health(p).state() == CircuitState.CLOSED)
                    .toList();
        };
    }
}
