package dev.dispatch.campaign;

import dev.dispatch.domain.message.EmailProvider;
import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.message.ProviderThrottledException;
import dev.dispatch.domain.message.ProviderUnavailableException;
import dev.dispatch.domain.message.SendResult;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Injects provider faults in front of a real provider adapter: a share of calls answered as a 5xx outage, a share
 * throttled, and an outage for the first N calls ("down for a while"). A faulted call reaches nothing.
 */
final class FaultyProvider implements EmailProvider {
    private final EmailProvider real;
    private final double unavailableShare;
    private final double throttledShare;
    private final AtomicInteger downForCalls;
    private final Random random = new Random(42);
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger faults = new AtomicInteger();

    FaultyProvider(EmailProvider real, double unavailableShare, double throttledShare, int downForCalls) {
        this.real = real;
        this.unavailableShare = unavailableShare;
        this.throttledShare = throttledShare;
        this.downForCalls = new AtomicInteger(downForCalls);
    }

    @Override
    public String name() {
        return real.name();
    }

    @Override
    public int maxBatchSize() {
        return real.maxBatchSize();
    }

    @Override
    public List<SendResult> send(List<OutgoingMessage> batch, Duration timeout) {
        calls.incrementAndGet();
        if (downForCalls.getAndDecrement() > 0) {
            faults.incrementAndGet();
            throw new ProviderUnavailableException(name(), "injected: provider down (503)", List.of());
        }
        double roll;
        synchronized (random) {
            roll = random.nextDouble();
        }
        if (roll < unavailableShare) {
            faults.incrementAndGet();
            throw new ProviderUnavailableException(name(), "injected: 500 Internal Server Error", List.of());
        }
        if (roll < unavailableShare + throttledShare) {
            faults.incrementAndGet();
            throw new ProviderThrottledException(name(), "injected: 429 Too Many Requests", Duration.ofMillis(5), List.of());
        }
        return real.send(batch, timeout);
    }
}
