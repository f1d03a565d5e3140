package dev.dispatch.domain.pacing;

import java.time.Instant;

/**
 * Permits for one provider call.
 *
 * @param granted how many of the call's messages may be sent now (the first ones; the rest wait)
 * @param limitedBy what held the rest back; {@link Limit#NONE} when everything was granted
 * @param retryAt when asking again can give more: the next second for {@link Limit#RATE}, the next UTC day for
 *     {@link Limit#QUOTA}
 * @param usableUntil the permits are for one second's window: a call started after this could reach the provider
 *     in the next second, on top of that second's permits. Null = no such limit.
 */
public record Grant(int granted, Limit limitedBy, Instant retryAt, Instant usableUntil) {
    public enum Limit {
        NONE,
        /** This second's share of the provider's rate (across every instance) is used up. */
        RATE,
        /** The provider's daily quota is used up: nothing more through it until the next UTC day. */
        QUOTA
    }

    public Grant(int granted, Limit limitedBy, Instant retryAt) {
        this(granted, limitedBy, retryAt, null);
    }

    public static Grant all(int wanted) {
        return new Grant(wanted, Limit.NONE, null, null);
    }

    /** Whether a call may still be started at {@code now} with these permits. */
    public boolean usableAt(Instant now) {
        return usableUntil == null || now.isBefore(usableUntil);
    }
}
