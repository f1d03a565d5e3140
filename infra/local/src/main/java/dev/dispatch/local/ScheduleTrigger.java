package dev.dispatch.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One {@code Type: Schedule} (EventBridge rule) or {@code ScheduleV2} (EventBridge Scheduler) event of a function:
 * invokes it asynchronously at each fire time with a "Scheduled Event" (or the event's {@code Input}).
 */
public final class ScheduleTrigger implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ScheduleTrigger.class.getName());

    /**
     * @param input the event's Input (a JSON document sent instead of the Scheduled Event), or null
     */
    public record Definition(String functionLogicalId, String eventName, String expressionText,
            ScheduleExpression expression, boolean enabled, String input, String ruleArn) {
    }

    private final Definition definition;
    private final LocalFunction function;
    private final String accountId;
    private final String region;
    private final ScheduledExecutorService timers;
    private final boolean verbose;
    private volatile ScheduledFuture<?> pending;
    private volatile Instant nextFire;
    private volatile boolean closed;

    ScheduleTrigger(Definition definition, LocalFunction function, String accountId, String region,
            ScheduledExecutorService timers, boolean verbose) {
        this.definition = definition;
        this.function = function;
        this.accountId = accountId;
        this.region = region;
        this.timers = timers;
        this.verbose = verbose;
    }

    public Definition definition() {
        return definition;
    }

    /** The next automatic fire time, or null (disabled, or a one-time schedule already fired). */
    public Instant nextFire() {
        return nextFire;
    }

    void start() {
        if (definition.enabled()) {
            scheduleNext(Instant.now());
        }
    }

    private synchronized void scheduleNext(Instant after) {
        if (closed) {
            return;
        }
        Instant next = definition.expression().next(after);
        nextFire = next;
        if (next == null) {
            return;
        }
        long delay = Math.max(0, next.toEpochMilli() - System.currentTimeMillis());
        pending = timers.schedule(() -> fireAutomatically(next), delay, TimeUnit.MILLISECONDS);
    }

    private void fireAutomatically(Instant scheduledTime) {
        if (closed) {
            return;
        }
        byte[] payload = payload(scheduledTime);
        function.invokeAsync(payload).whenComplete((response, error) -> {
            if (error != null) {
                LOG.warning("Scheduled invocation of " + definition.functionLogicalId() + " (" + definition.eventName()
                        + ") failed: " + error.getMessage());
            } else if (verbose) {
                System.out.printf("[schedule] %s %s -> %s%n", definition.functionLogicalId(), definition.eventName(),
                        new String(response, StandardCharsets.UTF_8));
            }
        });
        scheduleNext(scheduledTime);
    }

    /** Invokes the function now with this schedule's event and returns its response. */
    public byte[] fireNow() {
        return function.invoke(payload(Instant.now()));
    }

    byte[] payload(Instant time) {
        if (definition.input() != null) {
            return definition.input().getBytes(StandardCharsets.UTF_8);
        }
        ObjectNode event = Json.object();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", "Scheduled Event");
        event.put("source", "aws.events");
        event.put("account", accountId);
        event.put("time", time.truncatedTo(ChronoUnit.SECONDS).toString());
        event.put("region", region);
        event.putArray("resources").add(definition.ruleArn());
        event.putObject("detail");
        return Json.bytes(event);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (pending != null) {
            pending.cancel(false);
        }
    }
}
