package dev.dispatch.domain.metrics;

/**
 * Where a unit of work's measurements go (CloudWatch, through the functions' logs). Called once per batch, request
 * or message, never per recipient; a failure to publish must not fail the work it measures.
 */
public interface Metrics {
    /** Discards everything (tests, tools). */
    Metrics NONE = measurements -> {};

    void publish(Measurements measurements);
}
