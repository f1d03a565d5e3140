package dev.dispatch.domain.pacing;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The pacing store's in-memory twin: same atomicity (ADD, conditional cut), counts its calls. */
public final class InMemoryPacingStore implements PacingStore {
    final Map<String, Long> counters = new ConcurrentHashMap<>();
    private AimdState aimd;
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public long add(String key, long n, Instant expiresAt) {
        calls.incrementAndGet();
        return counters.merge(key, n, Long::sum);
    }

    @Override
    public long read(String key) {
        calls.incrementAndGet();
        return counters.getOrDefault(key, 0L);
    }

    @Override
    public synchronized Optional<AimdState> aimd(String provider) {
        calls.incrementAndGet();
        return Optional.ofNullable(aimd);
    }

    @Override
    public synchronized boolean cut(String provider, AimdState next, Instant lastCutNoLaterThan) {
        calls.incrementAndGet();
        if (aimd != null && aimd.cutAt().isAfter(lastCutNoLaterThan)) {
            return false;
        }
        aimd = next;
        return true;
    }
}
