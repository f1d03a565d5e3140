package dev.dispatch.domain.analytics;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.engagement.DeliveryStats;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A daily series of delivery counters over a period, from the per-provider daily stats: every day of the period is
 * present (zeros where nothing was recorded, so a chart needs no gap filling), with totals and a per-provider
 * breakdown of the totals.
 */
public final class DeliveryTrends {
    public static final int DEFAULT_DAYS = 30;
    public static final int MAX_DAYS = 366;
    /** What the series shows; the daily stats hold more (deferred, dropped, ...), which trends leave out. */
    public static final List<String> COUNTS = List.of(
            "sent", "delivered", "opened", "clicked", "bounced", "softBounced", "complained", "unsubscribed", "errors");
    private static final Pattern PROVIDER = Pattern.compile("[a-z0-9_-]{1,32}");

    /** Both days included, in UTC. */
    public record Period(LocalDate from, LocalDate to) {}

    private DeliveryTrends() {}

    /**
     * The period asked for: the last {@value #DEFAULT_DAYS} days up to {@code today} by default; a missing end is
     * {@code today}, a missing start the default length before the end.
     */
    public static Period period(String from, String to, LocalDate today) {
        LocalDate end = to == null || to.isBlank() ? today : day(to, "to");
        LocalDate start = from == null || from.isBlank() ? end.minusDays(DEFAULT_DAYS - 1) : day(from, "from");
        if (start.isAfter(end)) {
            throw new InvalidInputException("from", "must not be after to (" + end + ")");
        }
        long days = ChronoUnit.DAYS.between(start, end) + 1;
        if (days > MAX_DAYS) {
            throw new InvalidInputException("from", "the period covers " + days + " days; at most " + MAX_DAYS + " are allowed");
        }
        return new Period(start, end);
    }

    /** The provider filter, lower-cased, or null for every provider. */
    public static String provider(String provider) {
        if (provider == null || provider.isBlank()) {
            return null;
        }
        String name = provider.strip().toLowerCase(Locale.ROOT);
        if (!PROVIDER.matcher(name).matches()) {
            throw new InvalidInputException("provider", "must be a provider name such as ses, sendgrid, postmark or track");
        }
        return name;
    }

    /** The response body for {@code period} from the stats of its days (other days and providers are ignored). */
    public static Map<String, Object> view(Period period, String provider, List<DeliveryStats.Day> stats) {
        Map<LocalDate, Map<String, Long>> byDay = daily(period, provider, stats);
        Map<String, Long> totals = zeros();
        byDay.values().forEach(counts -> counts.forEach((name, n) -> totals.merge(name, n, Long::sum)));
        Map<String, Map<String, Long>> byProvider = byProvider(period, provider, stats);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", period.from().toString());
        body.put("to", period.to().toString());
        body.put("provider", provider);
        body.put("days", byDay.entrySet().stream().map(e -> {
            Map<String, Object> day = new LinkedHashMap<>();
            day.put("day", e.getKey().toString());
            day.putAll(series(e.getValue()));
            return day;
        }).toList());
        body.put("totals", series(totals));
        Map<String, Object> providers = new LinkedHashMap<>();
        byProvider.forEach((name, counts) -> providers.put(name, series(counts)));
        body.put("providers", providers);
        return body;
    }

    /**
     * Every day of {@code period} with its counters summed over the providers (or of {@code provider} only), zeros
     * where nothing was recorded, oldest first.
     */
    public static Map<LocalDate, Map<String, Long>> daily(Period period, String provider, List<DeliveryStats.Day> stats) {
        Map<LocalDate, Map<String, Long>> byDay = new TreeMap<>();
        for (LocalDate d = period.from(); !d.isAfter(period.to()); d = d.plusDays(1)) {
            byDay.put(d, zeros());
        }
        for (DeliveryStats.Day day : stats) {
            Map<String, Long> counts = byDay.get(day.day());
            if (counts != null && (provider == null || provider.equals(day.provider()))) {
                COUNTS.forEach(name -> counts.merge(name, day.count(name), Long::sum));
            }
        }
        return byDay;
    }

    /** Each provider's totals over {@code period} (of {@code provider} only when given), by provider name. */
    public static Map<String, Map<String, Long>> byProvider(Period period, String provider, List<DeliveryStats.Day> stats) {
        Map<String, Map<String, Long>> byProvider = new TreeMap<>();
        for (DeliveryStats.Day day : stats) {
            if (day.day().isBefore(period.from()) || day.day().isAfter(period.to())
                    || (provider != null && !provider.equals(day.provider()))) {
                continue;
            }
            Map<String, Long> totals = byProvider.computeIfAbsent(day.provider(), p -> zeros());
            COUNTS.forEach(name -> totals.merge(name, day.count(name), Long::sum));
        }
        return byProvider;
    }

    private static Map<String, Object> series(Map<String, Long> counts) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("counts", counts);
        entry.put("rates", DeliveryRates.period(counts));
        return entry;
    }

    private static Map<String, Long> zeros() {
        Map<String, Long> counts = new LinkedHashMap<>();
        COUNTS.forEach(name -> counts.put(name, 0L));
        return counts;
    }

    private static LocalDate day(String value, String field) {
        try {
            return LocalDate.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw new InvalidInputException(field, "must be a day as YYYY-MM-DD");
        }
    }
}
