package dev.dispatch.campaign;

import dev.dispatch.domain.message.EmailProvider;
import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.message.SendResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The provider accepts the call, then the function dies before it can record the answer: the window. */
final class CrashAfterSendProvider implements EmailProvider {
    private final EmailProvider real;
    private final AtomicInteger crashesLeft;

    CrashAfterSendProvider(EmailProvider real, int crashes) {
        this.real = real;
        this.crashesLeft = new AtomicInteger(crashes);
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
        List<SendResult> results = real.send(batch, timeout);
        if (crashesLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new Pipeline.SimulatedCrash("after the provider accepted a call, before its answer was recorded");
        }
        return results;
    }
}
