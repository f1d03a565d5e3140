package dev.dispatch.local;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/** One queued or running invocation of a function, completed by the Runtime API or by the local cloud. */
final class Invocation {
    enum State { QUEUED, RUNNING, DONE }

    final String requestId;
    final String traceId;
    final byte[] payload;
    final long queuedAtNanos = System.nanoTime();
    final CompletableFuture<byte[]> result = new CompletableFuture<>();

    private State state = State.QUEUED;
    private FunctionProcess owner;
    private long deadlineEpochMs;
    private ScheduledFuture<?> timeoutTask;

    Invocation(String requestId, String traceId, byte[] payload) {
        this.requestId = requestId;
        this.traceId = traceId;
        this.payload = payload;
    }

    /** QUEUED to RUNNING for {@code process} (null when the poller's process is unknown); false if not queued. */
    synchronized boolean start(FunctionProcess process, long deadlineMs) {
        if (state != State.QUEUED) {
            return false;
        }
        state = State.RUNNING;
        owner = process;
        deadlineEpochMs = deadlineMs;
        return true;
    }

    synchronized void timeoutTask(ScheduledFuture<?> task) {
        if (state == State.RUNNING) {
            timeoutTask = task;
        } else {
            task.cancel(false);
        }
    }

    /** RUNNING back to QUEUED: the event could not be handed to the poller. */
    synchronized boolean requeue() {
        if (state != State.RUNNING) {
            return false;
        }
        state = State.QUEUED;
        owner = null;
        if (timeoutTask != null) {
            timeoutTask.cancel(false);
            timeoutTask = null;
        }
        return true;
    }

    /** Marks the invocation done; true for the one caller that did so (it then completes {@link #result}). */
    synchronized boolean finish() {
        if (state == State.DONE) {
            return false;
        }
        state = State.DONE;
        if (timeoutTask != null) {
            timeoutTask.cancel(false);
            timeoutTask = null;
        }
        return true;
    }

    synchronized State state() {
        return state;
    }

    synchronized FunctionProcess owner() {
        return owner;
    }

    synchronized long deadlineEpochMs() {
        return deadlineEpochMs;
    }

    boolean succeed(byte[] response) {
        if (finish()) {
            result.complete(response);
            return true;
        }
        return false;
    }

    boolean fail(FunctionErrorException error) {
        if (finish()) {
            result.completeExceptionally(error);
            return true;
        }
        return false;
    }
}
