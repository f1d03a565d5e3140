package dev.dispatch.domain.pacing;

/** Permits for provider calls, held across every running send-batch instance. */
public interface Pacing {

    /** Permits for a call of {@code wanted} messages through {@code provider}; asks the store at most twice. */
    Grant acquire(String provider, int wanted);

    /** The provider answered with throttling (SES Throttling / MaxSendRateExceeded, HTTP 429): lower its rate. */
    void throttled(String provider);

    /** Whether this instance already knows the provider's quota for today is used up (no storage call). */
    boolean quotaUsedUp(String provider);

    /** No pacing: every call granted in full (tests and tools that do not exercise it). */
    Pacing NONE = new Pacing() {
        @Override
        public Grant acquire(String provider, int wanted) {
            return Grant.all(wanted);
        }

        @Override
        public void throttled(String provider) {}

        @Override
        public boolean quotaUsedUp(String provider) {
            return false;
        }
    };
}
