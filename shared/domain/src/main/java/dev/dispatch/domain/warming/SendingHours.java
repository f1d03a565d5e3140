package dev.dispatch.domain.warming;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The UTC hours a warming plan sends in, {@code [fromHour, toHour)}. A day's allowance is released evenly over them,
 * so a pool never receives its whole day at once: mailbox providers judge new IPs by bursts as much as by volume.
 */
public record SendingHours(int fromHour, int toHour) {
    public SendingHours {
        if (fromHour < 0 || toHour > 24 || fromHour >= toHour) {
            throw new IllegalArgumentException("sending hours need 0 <= fromHour < toHour <= 24");
        }
    }

    public static final SendingHours ALL_DAY = new SendingHours(0, 24);

    public int hoursPerDay() {
        return toHour - fromHour;
    }

    /** The share of the day's sending time that has passed at {@code now}: 0 before the first hour, 1 after the last. */
    public double elapsedShare(Instant now) {
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant().plus(Duration.ofHours(fromHour));
        Instant end = day.atStartOfDay(ZoneOffset.UTC).toInstant().plus(Duration.ofHours(toHour));
        if (!now.isAfter(start)) {
            return 0;
        }
        if (!now.isBefore(end)) {
            return 1;
        }
        return (double) Duration.between(start, now).toMillis() / Duration.between(start, end).toMillis();
    }
}
