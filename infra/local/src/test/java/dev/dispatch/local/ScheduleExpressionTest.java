package dev.dispatch.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ScheduleExpressionTest {
    private static final Instant CREATED = Instant.parse("2025-03-10T10:17:30Z");

    private static Instant next(String expression, String after) {
        return ScheduleExpression.parse(expression, ZoneOffset.UTC, CREATED).next(Instant.parse(after));
    }

    @Test
    void ratesCountFromCreation() {
        assertEquals(Instant.parse("2025-03-10T11:17:30Z"), next("rate(1 hour)", "2025-03-10T10:17:30Z"));
        assertEquals(Instant.parse("2025-03-10T12:17:30Z"), next("rate(1 hour)", "2025-03-10T11:17:30Z"));
        assertEquals(Instant.parse("2025-03-10T10:22:30Z"), next("rate(5 minutes)", "2025-03-10T10:20:00Z"));
        assertEquals(Instant.parse("2025-03-12T10:17:30Z"), next("rate(2 days)", "2025-03-10T10:20:00Z"));
        assertThrows(IllegalArgumentException.class, () -> ScheduleExpression.parse("rate(1 hours)"));
        assertThrows(IllegalArgumentException.class, () -> ScheduleExpression.parse("rate(5 minute)"));
        assertThrows(IllegalArgumentException.class, () -> ScheduleExpression.parse("rate(0 minutes)"));
    }

    @Test
    void cronFields() {
        assertEquals(Instant.parse("2025-03-10T12:00:00Z"), next("cron(0 12 * * ? *)", "2025-03-10T10:17:30Z"));
        assertEquals(Instant.parse("2025-03-11T12:00:00Z"), next("cron(0 12 * * ? *)", "2025-03-10T12:00:00Z"));
        assertEquals(Instant.parse("2025-03-10T10:30:00Z"), next("cron(0/15 * * * ? *)", "2025-03-10T10:17:30Z"));
        // 2025-03-10 is a Monday: the next Friday 09:00
        assertEquals(Instant.parse("2025-03-14T09:00:00Z"), next("cron(0 9 ? * FRI *)", "2025-03-10T10:17:30Z"));
        assertEquals(Instant.parse("2025-03-10T18:00:00Z"), next("cron(0 18 ? * MON-FRI *)", "2025-03-10T10:17:30Z"));
        assertEquals(Instant.parse("2025-03-31T08:00:00Z"), next("cron(0 8 L * ? *)", "2025-03-10T10:17:30Z"));
        assertEquals(Instant.parse("2025-04-01T00:00:00Z"), next("cron(0 0 1 * ? *)", "2025-03-10T10:17:30Z"));
        assertEquals(Instant.parse("2025-06-01T00:00:00Z"), next("cron(0 0 1 JUN ? *)", "2025-03-10T10:17:30Z"));
        // the second Tuesday of the month
        assertEquals(Instant.parse("2025-03-11T10:00:00Z"), next("cron(0 10 ? * 3#2 *)", "2025-03-10T10:17:30Z"));
        // the last Friday of the month
        assertEquals(Instant.parse("2025-03-28T10:00:00Z"), next("cron(0 10 ? * 6L *)", "2025-03-10T10:17:30Z"));
        // nearest weekday to the 15th (a Saturday): Friday the 14th
        assertEquals(Instant.parse("2025-03-14T10:00:00Z"), next("cron(0 10 15W * ? *)", "2025-03-10T10:17:30Z"));
        assertNull(next("cron(0 10 * * ? 2024)", "2025-03-10T10:17:30Z"));
        assertThrows(IllegalArgumentException.class, () -> ScheduleExpression.parse("cron(0 12 * * * *)"));
        assertThrows(IllegalArgumentException.class, () -> ScheduleExpression.parse("cron(0 12 * *)"));
    }

    @Test
    void cronInATimeZoneAndOneTimeSchedules() {
        Instant next = ScheduleExpression.parse("cron(0 9 * * ? *)", ZoneId.of("Europe/Paris"), CREATED)
                .next(Instant.parse("2025-03-10T10:17:30Z"));
        assertEquals(Instant.parse("2025-03-11T08:00:00Z"), next);
        ScheduleExpression at = ScheduleExpression.parse("at(2025-03-10T12:00:00)", ZoneOffset.UTC, CREATED);
        assertEquals(Instant.parse("2025-03-10T12:00:00Z"), at.next(Instant.parse("2025-03-10T10:00:00Z")));
        assertNull(at.next(Instant.parse("2025-03-10T12:00:00Z")));
    }
}
