package dev.dispatch.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One runtime process of a function (one Lambda execution environment). */
final class FunctionProcess {
    final int slot;
    final Process process;
    final long startedAtNanos;
    private volatile long firstPollNanos;
    private volatile boolean killed;
    private volatile long peakRssBytes;

    FunctionProcess(int slot, Process process, long startedAtNanos) {
        this.slot = slot;
        this.process = process;
        this.startedAtNanos = startedAtNanos;
    }

    long pid() {
        return process.pid();
    }

    /** Alive and not being killed. */
    boolean isLive() {
        return !killed && process.isAlive();
    }

    /** Records the first {@code /next} poll: the runtime finished its init phase. True the first time. */
    synchronized boolean markPolled() {
        if (firstPollNanos != 0) {
            return false;
        }
        firstPollNanos = System.nanoTime();
        return true;
    }

    boolean hasPolled() {
        return firstPollNanos != 0;
    }

    /** Process start to first {@code /next} (Lambda's "Init Duration"), or -1 before that. */
    long initMillis() {
        long polled = firstPollNanos;
        return polled == 0 ? -1 : (polled - startedAtNanos) / 1_000_000;
    }

    void kill() {
        killed = true;
        process.destroyForcibly();
    }

    boolean wasKilled() {
        return killed;
    }

    /** Reads VmHWM (peak resident set) from /proc and remembers the largest value seen. */
    long samplePeakRss() {
        long value = readVmHwm(process.pid());
        if (value > peakRssBytes) {
            peakRssBytes = value;
        }
        return peakRssBytes;
    }

    long peakRssBytes() {
        return peakRssBytes;
    }

    static long readVmHwm(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L;
                }
            }
        } catch (IOException | RuntimeException e) {
            // process gone or not Linux
        }
        return 0;
    }
}
