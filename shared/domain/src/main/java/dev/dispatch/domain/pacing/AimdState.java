package dev.dispatch.domain.pacing;

import java.time.Duration;
import java.time.Instant;

/**
 * A provider's effective rate after its last throttling answer: cut to {@code rateAfterCut} at {@code cutAt}, then
 * growing back linearly by {@link #RECOVERY_SHARE_PER_SECOND} of the configured rate each second until it reaches
 * the configured rate (additive increase, multiplicative decrease). Storing the cut, not the current rate, means no
 * write is needed while it recovers: every instance computes the same rate from the same item.
 */
public record AimdState(double rateAfterCut, Instant cutAt) {
    /** Share of the configured rate regained per second after a cut (2 %: a halved rate recovers in 25 s). */
    public static final double RECOVERY_SHARE_PER_SECOND = 0.02;
    /** A provider's rate is never cut below one message a second. */
    public static final double FLOOR = 1.0;
    /** At most one cut per this interval: the answers to calls already in flight when the first 429 came. */
    public static final Duration CUT_SPACING = Duration.ofSeconds(2);

    public AimdState {
        if (!(rateAfterCut >= FLOOR) || cutAt == null) {
            throw new IllegalArgumentException("rateAfterCut must be >= " + FLOOR + " and cutAt set");
        }
    }

    /** The effective rate at {@code now} for a provider configured at {@code configured} messages a second. */
    public static double rate(double configured, AimdState state, Instant now) {
        if (state == null) {
            return configured;
        }
        double seconds = Math.max(0, Duration.between(state.cutAt(), now).toMillis() / 1000.0);
        return Math.min(configured, state.rateAfterCut() + RECOVERY_SHARE_PER_SECOND * configured * seconds);
    }

    /** The state after a throttling answer at {@code now}: half of the rate in effect then. */
    public static AimdState cut(double configured, AimdState state, Instant now) {
        return new AimdState(Math.max(FLOOR, rate(configured, state, now) / 2), now);
    }
}
