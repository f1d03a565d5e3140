package dev.dispatch.domain.warming;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The warming store's in-memory twin for fast tests of the rules (same versioning as the DynamoDB one). */
public final class InMemoryWarmingStore implements WarmingStore {
    private final Map<String, PlanState> states = new HashMap<>();
    private final Map<String, Long> usage = new HashMap<>();

    @Override
    public synchronized Optional<PlanState> find(String plan) {
        return Optional.ofNullable(states.get(plan));
    }

    @Override
    public synchronized boolean save(PlanState next) {
        PlanState stored = states.get(next.plan());
        long storedVersion = stored == null ? 0 : stored.version();
        if (storedVersion != next.version()) {
            return false;
        }
        states.put(next.plan(), new PlanState(next.plan(), next.status(), next.day(), next.dayOf(), next.lastStepBackOn(),
                next.decisions(), next.version() + 1));
        return true;
    }

    @Override
    public synchronized long reserve(String plan, LocalDate day, long wanted, long allowance) {
        long used = used(plan, day);
        long granted = Math.max(0, Math.min(wanted, allowance - used));
        usage.put(plan + "#" + day, used + granted);
        return granted;
    }

    @Override
    public synchronized long used(String plan, LocalDate day) {
        return usage.getOrDefault(plan + "#" + day, 0L);
    }
}
