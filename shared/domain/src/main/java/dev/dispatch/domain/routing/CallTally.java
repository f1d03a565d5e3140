package dev.dispatch.domain.routing;

/**
 * What one batch did with one provider: calls made, calls that failed as a whole (unavailable, timed out, throttled)
 * and recipients moved away from it to another provider.
 */
public record CallTally(long calls, long failures, long failovers) {
    public static final CallTally NONE = new CallTally(0, 0, 0);

    public CallTally plus(CallTally other) {
        return new CallTally(calls + other.calls, failures + other.failures, failovers + other.failovers);
    }

    public boolean isEmpty() {
        return calls == 0 && failures == 0 && failovers == 0;
    }
}
