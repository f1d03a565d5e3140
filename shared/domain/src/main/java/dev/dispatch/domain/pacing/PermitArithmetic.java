package dev.dispatch.domain.pacing;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * How permits are counted: every caller ADDs what it wants to one shared counter per window (a second of a provider's
 * rate, a UTC day of its quota) and is granted what was still free before its own addition. Concurrent callers
 * see distinct "before" values, so the grants of one window never add up to more than its limit; what a caller
 * asked for beyond its grant stays counted (the window is simply full sooner) - conservative, never over.
 */
public final class PermitArithmetic {
    private PermitArithmetic() {}

    /** Permits granted to a caller that wanted {@code wanted} when {@code before} were already counted. */
    public static int granted(long before, int wanted, long limit) {
        if (wanted <= 0) {
            return 0;
        }
        long free = limit - Math.max(0, before);
        return (int) Math.max(0, Math.min(wanted, free));
    }

    /** The key of a provider's one-second rate window. */
    public static String rateKey(String provider, long epochSecond) {
        return "rate#" + provider + "#" + epochSecond;
    }

    /** The key of a provider's daily quota counter (UTC day). */
    public static String quotaKey(String provider, LocalDate day) {
        return "quota#" + provider + "#" + day;
    }

    /** The key of a provider's AIMD state. */
    public static String aimdKey(String provider) {
        return "aimd#" + provider;
    }

    public static LocalDate utcDay(Instant instant) {
        return LocalDate.ofInstant(instant, ZoneOffset.UTC);
    }

    /** The start of the UTC day after {@code day}. */
    public static Instant startOfNextDay(LocalDate day) {
        return day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
