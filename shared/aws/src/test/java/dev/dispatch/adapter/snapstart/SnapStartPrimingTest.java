package dev.dispatch.adapter.snapstart;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SnapStartPrimingTest {

    @Test
    void everyPrimerRunsBeforeTheCheckpointAndAFailingOneDoesNotStopTheOthers() {
        AtomicInteger ran = new AtomicInteger();
        SnapStartPriming priming = new SnapStartPriming(List.of(
                new SnapStartPriming.Primer("first", ran::incrementAndGet),
                new SnapStartPriming.Primer("broken", () -> {
                    throw new IllegalStateException("no network at checkpoint");
                }),
                new SnapStartPriming.Primer("last", ran::incrementAndGet),
                SnapStartPriming.jackson(new ObjectMapper())));

        priming.beforeCheckpoint(null);

        assertEquals(2, ran.get());
        assertEquals(3, priming.succeeded()); // first, last and the Jackson round trip
    }

    @Test
    void registeringWorksOnAJvmWithoutCrac() {
        // org.crac falls back to a context that never calls the resource: registering must not fail at init.
        AtomicInteger ran = new AtomicInteger();
        SnapStartPriming.register(new SnapStartPriming.Primer("count", ran::incrementAndGet));
        assertEquals(0, ran.get());
    }
}
