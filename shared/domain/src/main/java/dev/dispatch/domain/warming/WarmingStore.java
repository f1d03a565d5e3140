package dev.dispatch.domain.warming;

import java.time.LocalDate;
import java.util.Optional;

/** Warming plans' shared state and each day's released volume. */
public interface WarmingStore {

    Optional<PlanState> find(String plan);

    /**
     * Stores {@code next} (its decisions included) if the stored version is still {@code next.version()} (0: not
     * stored yet), as version {@code next.version() + 1}; false if another writer got there first.
     */
    boolean save(PlanState next);

    /**
     * Reserves up to {@code wanted} messages of the plan's volume on {@code day}, never taking the day's total over
     * {@code allowance}, atomically across every caller. Returns how many were granted (0..wanted).
     */
    long reserve(String plan, LocalDate day, long wanted, long allowance);

    /** Messages reserved on {@code day} so far. */
    long used(String plan, LocalDate day);
}
