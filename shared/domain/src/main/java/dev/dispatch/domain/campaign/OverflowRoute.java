package dev.dispatch.domain.campaign;

import dev.dispatch.domain.routing.Route;
import java.util.List;

/**
 * Where a batch over a warming plan's allowance goes instead of the plan's provider ({@code overAllowance: route}):
 * enqueue-campaign fixes it with the batch, so every delivery of the batch routes the same way. {@code providers}
 * are the campaign's other providers that were enabled, healthy and not out of warming allowance when the batch was
 * fixed, the first the one chosen (its allowance reserved when it warms itself), the others the failover order (only
 * providers that no plan caps). The plan's own provider is never among them.
 */
public record OverflowRoute(String plan, List<String> providers) {
    public OverflowRoute {
        providers = List.copyOf(providers);
        if (providers.isEmpty()) {
            throw new IllegalArgumentException("an overflow route needs at least one provider");
        }
    }

    /** The ledger's route reason of its recipients: {@code warming-overflow:<plan>}. */
    public String reason() {
        return Route.warmingOverflow(plan);
    }
}
