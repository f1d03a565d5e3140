package dev.dispatch.domain.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link ProviderControl} in memory, for fast tests of the routing rules: a window is the calls since it was reset. */
final class InMemoryProviderControl implements ProviderControl {
    final Map<String, ProviderHealth> health = new HashMap<>();
    final Map<String, ProviderOverride> overrides = new HashMap<>();
    final List<ProviderOverride> audit = new ArrayList<>();
    int reads;

    @Override
    public synchronized Snapshot read(Collection<String> providers, Instant now, Duration window) {
        reads++;
        return new Snapshot(health, overrides);
    }

    private ProviderHealth get(String p) {
        return health.getOrDefault(p, ProviderHealth.fresh(p));
    }

    @Override
    public synchronized ProviderHealth record(String p, CallTally t, Instant now, Duration window) {
        ProviderHealth h = get(p);
        ProviderHealth after = new ProviderHealth(p, h.state(), h.openedAt(), h.probeOwner(), h.probeUntil(),
                h.windowCalls() + t.calls(), h.windowFailures() + t.failures(), h.windowFailovers() + t.failovers(), h.opens(),
                h.failoversTotal() + t.failovers(), t.failovers() > 0 ? now : h.lastFailoverAt());
        health.put(p, after);
        return after;
    }

    @Override
    public synchronized boolean open(String p, Instant now) {
        ProviderHealth h = get(p);
        if (h.state() != CircuitState.CLOSED) {
            return false;
        }
        health.put(p, new ProviderHealth(p, CircuitState.OPEN, now, null, null, h.windowCalls(), h.windowFailures(),
                h.windowFailovers(), h.opens() + 1, h.failoversTotal(), h.lastFailoverAt()));
        return true;
    }

    @Override
    public synchronized boolean claimProbe(String p, ProviderHealth seen, String owner, Instant now, Instant until) {
        ProviderHealth h = get(p);
        boolean ok = (h.state() == CircuitState.OPEN && seen.state() == CircuitState.OPEN && java.util.Objects.equals(h.openedAt(), seen.openedAt()))
                || (h.state() == CircuitState.HALF_OPEN && h.probeUntil().isBefore(now));
        if (ok) {
            health.put(p, new ProviderHealth(p, CircuitState.HALF_OPEN, h.openedAt(), owner, until, h.windowCalls(),
                    h.windowFailures(), h.windowFailovers(), h.opens(), h.failoversTotal(), h.lastFailoverAt()));
        }
        return ok;
    }

    @Override
    public synchronized void settleProbe(String p, String owner, boolean succeeded, Instant now) {
        ProviderHealth h = get(p);
        if (h.state() != CircuitState.HALF_OPEN || !owner.equals(h.probeOwner())) {
            return;
        }
        health.put(p, succeeded
                ? new ProviderHealth(p, CircuitState.CLOSED, h.openedAt(), null, null, 0, 0, 0, h.opens(), h.failoversTotal(), h.lastFailoverAt())
                : new ProviderHealth(p, CircuitState.OPEN, now, null, null, h.windowCalls(), h.windowFailures(),
                        h.windowFailovers(), h.opens() + 1, h.failoversTotal(), h.lastFailoverAt()));
    }

    @Override
    public synchronized void returnProbe(String p, String owner, Instant openedAt) {
        ProviderHealth h = get(p);
        if (h.state() == CircuitState.HALF_OPEN && owner.equals(h.probeOwner())) {
            health.put(p, new ProviderHealth(p, CircuitState.OPEN, h.openedAt(), null, null, h.windowCalls(),
                    h.windowFailures(), h.windowFailovers(), h.opens(), h.failoversTotal(), h.lastFailoverAt()));
        }
    }

    @Override
    public synchronized ProviderOverride override(ProviderOverride change) {
        audit.add(0, change);
        ProviderOverride current = overrides.get(change.provider());
        ProviderOverride merged = current == null ? change : current.merge(change);
        overrides.put(change.provider(), merged);
        return merged;
    }

    @Override
    public synchronized List<ProviderOverride> audit(int limit) {
        return audit.subList(0, Math.min(limit, audit.size()));
    }
}
