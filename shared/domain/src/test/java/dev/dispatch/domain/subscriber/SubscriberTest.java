package dev.dispatch.domain.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dispatch.domain.InvalidInputException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SubscriberTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T1 = Instant.parse("2026-01-02T00:00:00Z");
    private final Subscriber ada = Subscriber.create(EmailAddress.parse("ada@example.com"),
            SubscriberDetails.of("Ada", null, Map.of("plan", "pro", "seats", 3), List.of("news"), "Europe/London"), "api", T0);

    @Test
    void givenTheSameRowTwice_whenMergedAsImport_thenNothingChanges() {
        SubscriberDetails row = SubscriberDetails.of("Ada", null, Map.of("seats", new BigDecimal("3.0")), List.of("news"), null);
        assertSame(ada, ada.mergingImport(row, T1));
    }

    @Test
    void givenNewSegmentsAndAttributes_whenMergedAsImport_thenAddedNotReplaced() {
        Subscriber merged = ada.mergingImport(SubscriberDetails.of(null, "Lovelace", Map.of("city", "London"), List.of("vip"), null), T1);
        assertEquals(Set.of("news", "vip"), merged.segments());
        assertEquals(Map.of("plan", "pro", "seats", new BigDecimal("3"), "city", "London"), merged.attributes());
        assertEquals("Lovelace", merged.lastName());
        assertEquals("Ada", merged.firstName());
        assertEquals(T1, merged.updatedAt());
        assertEquals(T0, merged.createdAt());
    }

    @Test
    void givenSegmentsInAPatch_whenReplacing_thenTheListIsReplaced() {
        Subscriber updated = ada.replacing(SubscriberDetails.of(null, null, null, List.of("vip"), null), T1);
        assertEquals(Set.of("vip"), updated.segments());
        assertEquals("Ada", updated.firstName());
    }

    @Test
    void givenBadFields_whenValidated_thenTheErrorNamesTheField() {
        assertEquals("timeZone", assertThrows(InvalidInputException.class,
                () -> SubscriberDetails.of(null, null, null, null, "Mars/Olympus")).field());
        assertEquals("segments", assertThrows(InvalidInputException.class,
                () -> SubscriberDetails.of(null, null, null, List.of("bad segment!"), null)).field());
        assertEquals("attributes.nested", assertThrows(InvalidInputException.class,
                () -> SubscriberDetails.of(null, null, Map.of("nested", Map.of("a", 1)), null, null)).field());
        assertEquals("firstName", assertThrows(InvalidInputException.class,
                () -> SubscriberDetails.of("x".repeat(101), null, null, null, null)).field());
    }

    @Test
    void givenSuppression_thenStatusIsDerivedFromIt() {
        Subscriber gone = ada.withSuppression(new Suppression(ada.email(), SubscriberStatus.UNSUBSCRIBED, T1, "api"));
        assertEquals(SubscriberStatus.UNSUBSCRIBED, gone.status());
        assertEquals(false, gone.mailable());
    }
}
