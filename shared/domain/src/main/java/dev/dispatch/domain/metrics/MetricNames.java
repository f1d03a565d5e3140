package dev.dispatch.domain.metrics;

import java.util.List;

/**
 * The names of the operational metrics the functions emit, in one place: the code emits them, and template.yaml's
 * dashboard and alarms name them (a test reads both and compares). Renaming one here without the template breaks
 * that test, not the dashboard.
 */
public final class MetricNames {
    /** The CloudWatch namespace when the function's environment sets none (template.yaml sets one per stack). */
    public static final String DEFAULT_NAMESPACE = "Dispatch";
    /** The dimension of the per-provider metrics; each is also published without it, summed over providers. */
    public static final String PROVIDER = "Provider";

    /** send-batch: messages a provider accepted (Count). */
    public static final String SENT = "Sent";
    /** send-batch: messages a provider refused for good, or whose call ended without an answer (Count). */
    public static final String FAILED = "Failed";
    /** send-batch: recipients left unsent when a delivery was handed back for later (pacing, quota, time) (Count). */
    public static final String DEFERRED = "Deferred";
    /** send-batch: how long one delivery of a batch took, from claim to its last record (Milliseconds). */
    public static final String BATCH_LATENCY = "BatchLatency";
    /** process-webhook: verified events queued for apply-engagement (Count). */
    public static final String WEBHOOK_EVENTS_ACCEPTED = "WebhookEventsAccepted";
    /** apply-engagement: events applied (duplicates left out) (Count). */
    public static final String EVENTS_APPLIED = "EventsApplied";
    /** apply-engagement: hard bounces applied (Count). */
    public static final String BOUNCED = "Bounced";
    /** apply-engagement: complaints applied (Count). */
    public static final String COMPLAINED = "Complained";
    /** apply-engagement: how long a message waited in the engagement queue (Milliseconds). */
    public static final String QUEUE_LAG = "QueueLag";

    /** Every metric published per provider (and summed). */
    public static final List<String> PER_PROVIDER = List.of(SENT, FAILED, DEFERRED, WEBHOOK_EVENTS_ACCEPTED,
            EVENTS_APPLIED, BOUNCED, COMPLAINED);
    /** Every metric name the code emits. */
    public static final List<String> ALL = List.of(SENT, FAILED, DEFERRED, BATCH_LATENCY, WEBHOOK_EVENTS_ACCEPTED,
            EVENTS_APPLIED, BOUNCED, COMPLAINED, QUEUE_LAG);

    private MetricNames() {}
}
