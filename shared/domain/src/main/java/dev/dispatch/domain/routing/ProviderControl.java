package dev.dispatch.domain.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The providers' shared control state (the control table): health with its circuit breaker, shared by every send-batch
 * instance, and the operators' overrides with their audit trail. Breaker transitions are conditional writes, so of
 * several instances exactly one opens a breaker or takes its probe.
 */
public interface ProviderControl {

    /** Health (window counted back from {@code now}) and overrides of the providers, in one read. */
    Snapshot read(Collection<String> providers, Instant now, Duration window);

    record Snapshot(Map<String, ProviderHealth> health, Map<String, ProviderOverride> overrides) {
        public Snapshot {
            health = Map.copyOf(health);
            overrides = Map.copyOf(overrides);
        }

        public ProviderHealth health(String provider) {
            return health.getOrDefault(provider, ProviderHealth.fresh(provider));
        }
    }

    /** Adds one batch's calls to the provider's window (atomic increments); its health afterwards. */
    ProviderHealth record(String provider, CallTally tally, Instant now, Duration window);

    /** Opens a closed breaker; false if it was not closed (someone else opened it first). */
    boolean open(String provider, Instant now);

    /**
     * Takes the probe of an open breaker whose open time is over (or of a half-open one whose prober's time ran out):
     * true for exactly one caller.
     */
    boolean claimProbe(String provider, ProviderHealth seen, String owner, Instant now, Instant until);

    /** Ends {@code owner}'s probe: closed (window restarted) on success, open again (from {@code now}) on failure. */
    void settleProbe(String provider, String owner, boolean succeeded, Instant now);

    /** Gives an unused probe back (the breaker open as it was, so the next batch may probe at once). */
    void returnProbe(String provider, String owner, Instant openedAt);

    /** Records {@code change} in the audit trail, then applies it to the provider's override. */
    ProviderOverride override(ProviderOverride change);

    /** The latest audited changes, newest first. */
    List<ProviderOverride> audit(int limit);
}
