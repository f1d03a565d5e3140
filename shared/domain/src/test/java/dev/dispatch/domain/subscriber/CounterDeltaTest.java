package dev.dispatch.domain.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CounterDeltaTest {
    private final Subscriber ada = Subscriber.create(EmailAddress.parse("ada@example.com"),
            SubscriberDetails.of(null, null, null, List.of("news", "vip"), null), "api", Instant.EPOCH);

    @Test
    void givenUnsubscribe_thenActiveMovesToUnsubscribedEverywhere() {
        Subscriber gone = ada.withSuppression(new Suppression(ada.email(), SubscriberStatus.UNSUBSCRIBED, Instant.EPOCH, "api"));
        var changes = new CounterDelta().record(ada, gone).changes();
        Map<SubscriberStatus, Long> expected = Map.of(SubscriberStatus.ACTIVE, -1L, SubscriberStatus.UNSUBSCRIBED, 1L);
        assertEquals(Map.of(CounterDelta.ALL, expected, "news", expected, "vip", expected), changes);
    }

    @Test
    void givenNoChange_thenDeltaIsEmpty() {
        assertTrue(new CounterDelta().record(ada, ada).isEmpty());
    }

    @Test
    void givenSegmentSwap_thenOnlySegmentsMove() {
        Subscriber moved = ada.replacing(SubscriberDetails.of(null, null, null, List.of("news"), null), Instant.EPOCH.plusSeconds(1));
        assertEquals(Map.of("vip", Map.of(SubscriberStatus.ACTIVE, -1L)), new CounterDelta().record(ada, moved).changes());
    }
}
