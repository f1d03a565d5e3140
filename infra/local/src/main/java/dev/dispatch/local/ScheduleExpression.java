package dev.dispatch.local;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * EventBridge schedule expressions: {@code rate(value unit)}, six-field {@code cron(min hour day-of-month month
 * day-of-week year)} with {@code * ? , - /}, names, {@code L}, {@code W} and {@code #}, and Scheduler's one-time
 * {@code at(yyyy-mm-ddThh:mm:ss)}.
 */
public abstract sealed class ScheduleExpression {

    /** The expression as written. */
    public abstract String text();

    /** The first fire time strictly after {@code after}, or null when there is none. */
    public abstract Instant next(Instant after);

    public static ScheduleExpression parse(String expression) {
        return parse(expression, ZoneOffset.UTC, Instant.now());
    }

    /**
     * @param zone    the time zone of cron and at expressions (EventBridge rules: UTC)
     * @param created when the schedule was created: rate schedules fire at created + n * rate
     */
    public static ScheduleExpression parse(String expression, ZoneId zone, Instant created) {
        String e = expression.trim();
        if (e.startsWith("rate(") && e.endsWith(")")) {
            return new Rate(e, parseRate(e.substring(5, e.length() - 1).trim()), created);
        }
        if (e.startsWith("cron(") && e.endsWith(")")) {
            return new Cron(e, e.substring(5, e.length() - 1).trim(), zone);
        }
        if (e.startsWith("at(") && e.endsWith(")")) {
            LocalDateTime at = LocalDateTime.parse(e.substring(3, e.length() - 1).trim());
            return new At(e, at.atZone(zone).toInstant());
        }
        throw new IllegalArgumentException("Not a schedule expression (rate(...), cron(...) or at(...)): " + expression);
    }

    private static Duration parseRate(String body) {
        String[] parts = body.split("\\s+");
        if (parts.length != 2) {
            throw new IllegalArgumentException("rate() needs a value and a unit: rate(" + body + ")");
        }
        long value = Long.parseLong(parts[0]);
        if (value <= 0) {
            throw new IllegalArgumentException("rate() needs a positive value: rate(" + body + ")");
        }
        String unit = parts[1].toLowerCase(Locale.ROOT);
        boolean singular = value == 1;
        return switch (unit) {
            case "minute", "minutes" -> check(singular, unit, Duration.ofMinutes(value));
            case "hour", "hours" -> check(singular, unit, Duration.ofHours(value));
            case "day", "days" -> check(singular, unit, Duration.ofDays(value));
            default -> throw new IllegalArgumentException("rate() unit must be minute(s), hour(s) or day(s): " + unit);
        };
    }

    private static Duration check(boolean singular, String unit, Duration d) {
        if (singular == unit.endsWith("s")) {
            throw new IllegalArgumentException("rate(): use '" + (singular ? "minute/hour/day" : "minutes/hours/days")
                    + "' for this value, not '" + unit + "'");
        }
        return d;
    }

    /** {@code rate(n unit)}. */
    public static final class Rate extends ScheduleExpression {
        private final String text;
        private final Duration period;
        private final Instant created;

        Rate(String text, Duration period, Instant created) {
            this.text = text;
            this.period = period;
            this.created = created;
        }

        public Duration period() {
            return period;
        }

        @Override
        public String text() {
            return text;
        }

        @Override
        public Instant next(Instant after) {
            if (after.isBefore(created)) {
                return created.plus(period);
            }
            long elapsed = Duration.between(created, after).toMillis();
            long n = elapsed / period.toMillis() + 1;
            return created.plusMillis(n * period.toMillis());
        }
    }

    /** {@code at(...)}: fires once. */
    public static final class At extends ScheduleExpression {
        private final String text;
        private final Instant at;

        At(String text, Instant at) {
            this.text = text;
            this.at = at;
        }

        @Override
        public String text() {
            return text;
        }

        @Override
        public Instant next(Instant after) {
            return at.isAfter(after) ? at : null;
        }
    }

    /** Six-field EventBridge cron. */
    public static final class Cron extends ScheduleExpression {
        private static final Map<String, Integer> MONTHS = Map.ofEntries(Map.entry("JAN", 1), Map.entry("FEB", 2),
                Map.entry("MAR", 3), Map.entry("APR", 4), Map.entry("MAY", 5), Map.entry("JUN", 6), Map.entry("JUL", 7),
                Map.entry("AUG", 8), Map.entry("SEP", 9), Map.entry("OCT", 10), Map.entry("NOV", 11), Map.entry("DEC", 12));
        private static final Map<String, Integer> DAYS = Map.of("SUN", 1, "MON", 2, "TUE", 3, "WED", 4, "THU", 5,
                "FRI", 6, "SAT", 7);

        private final String text;
        private final ZoneId zone;
        private final BitSet minutes;
        private final BitSet hours;
        private final String dayOfMonth;
        private final BitSet months;
        private final String dayOfWeek;
        private final BitSet years;
        private final BitSet domSet;
        private final BitSet dowSet;

        Cron(String text, String body, ZoneId zone) {
            this.text = text;
            this.zone = zone;
            String[] f = body.split("\\s+");
            if (f.length != 6) {
                throw new IllegalArgumentException("cron() needs 6 fields (minutes hours day-of-month month "
                        + "day-of-week year): " + text);
            }
            minutes = field(f[0], 0, 59, Map.of());
            hours = field(f[1], 0, 23, Map.of());
            dayOfMonth = f[2].toUpperCase(Locale.ROOT);
            months = field(f[3], 1, 12, MONTHS);
            dayOfWeek = f[4].toUpperCase(Locale.ROOT);
            years = field(f[5], 1970, 2199, Map.of());
            boolean domAny = dayOfMonth.equals("?");
            boolean dowAny = dayOfWeek.equals("?");
            if (domAny == dowAny) {
                throw new IllegalArgumentException("cron(): exactly one of day-of-month and day-of-week must be '?': "
                        + text);
            }
            domSet = domAny || special(dayOfMonth) ? null : field(dayOfMonth, 1, 31, Map.of());
            dowSet = dowAny || special(dayOfWeek) ? null : field(dayOfWeek, 1, 7, DAYS);
        }

        private static boolean special(String f) {
            return f.contains("L") && !f.equals("*") || f.contains("W") && !f.contains("WED") || f.contains("#");
        }

        @Override
        public String text() {
            return text;
        }

        @Override
        public Instant next(Instant after) {
            ZonedDateTime from = after.atZone(zone).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
            LocalDate day = from.toLocalDate();
            for (int i = 0; i < 366 * 30; i++, day = day.plusDays(1)) {
                if (day.getYear() > 2199) {
                    return null;
                }
                if (!years.get(day.getYear()) || !months.get(day.getMonthValue()) || !dayMatches(day)) {
                    continue;
                }
                for (int h = hours.nextSetBit(0); h >= 0; h = hours.nextSetBit(h + 1)) {
                    for (int m = minutes.nextSetBit(0); m >= 0; m = minutes.nextSetBit(m + 1)) {
                        ZonedDateTime candidate = day.atTime(h, m).atZone(zone);
                        if (!candidate.isBefore(from)) {
                            return candidate.toInstant();
                        }
                    }
                }
            }
            return null;
        }

        private boolean dayMatches(LocalDate day) {
            if (dayOfMonth.equals("?")) {
                return dowMatches(day);
            }
            return domMatches(day);
        }

        private boolean domMatches(LocalDate day) {
            if (domSet != null) {
                return domSet.get(day.getDayOfMonth());
            }
            LocalDate last = day.with(TemporalAdjusters.lastDayOfMonth());
            if (dayOfMonth.equals("L")) {
                return day.equals(last);
            }
            if (dayOfMonth.equals("LW")) {
                return day.equals(nearestWeekday(last, true));
            }
            if (dayOfMonth.endsWith("W")) {
                int target = Integer.parseInt(dayOfMonth.substring(0, dayOfMonth.length() - 1));
                if (target > last.getDayOfMonth()) {
                    return false;
                }
                return day.equals(nearestWeekday(day.withDayOfMonth(target), false));
            }
            throw new IllegalArgumentException("Unsupported day-of-month in " + text);
        }

        private static LocalDate nearestWeekday(LocalDate d, boolean lastOfMonth) {
            DayOfWeek w = d.getDayOfWeek();
            if (w == DayOfWeek.SATURDAY) {
                return d.getDayOfMonth() == 1 ? d.plusDays(2) : d.minusDays(1);
            }
            if (w == DayOfWeek.SUNDAY) {
                return lastOfMonth || d.getDayOfMonth() == d.lengthOfMonth() ? d.minusDays(2) : d.plusDays(1);
            }
            return d;
        }

        private boolean dowMatches(LocalDate day) {
            int cronDay = day.getDayOfWeek().getValue() % 7 + 1; // SUN=1 ... SAT=7
            if (dowSet != null) {
                return dowSet.get(cronDay);
            }
            if (dayOfWeek.equals("L")) {
                return cronDay == 7;
            }
            if (dayOfWeek.endsWith("L")) {
                int wanted = value(dayOfWeek.substring(0, dayOfWeek.length() - 1), DAYS);
                return cronDay == wanted && day.plusWeeks(1).getMonthValue() != day.getMonthValue();
            }
            if (dayOfWeek.contains("#")) {
                String[] parts = dayOfWeek.split("#");
                int wanted = value(parts[0], DAYS);
                int nth = Integer.parseInt(parts[1]);
                return cronDay == wanted && (day.getDayOfMonth() - 1) / 7 + 1 == nth;
            }
            throw new IllegalArgumentException("Unsupported day-of-week in " + text);
        }

        private static BitSet field(String spec, int min, int max, Map<String, Integer> names) {
            BitSet set = new BitSet(max + 1);
            for (String part : spec.toUpperCase(Locale.ROOT).split(",")) {
                int step = 1;
                String range = part;
                int slash = part.indexOf('/');
                if (slash >= 0) {
                    step = Integer.parseInt(part.substring(slash + 1));
                    range = part.substring(0, slash);
                    if (step <= 0) {
                        throw new IllegalArgumentException("cron(): step must be positive in " + spec);
                    }
                }
                int from;
                int to;
                if (range.equals("*") || range.equals("?")) {
                    from = min;
                    to = max;
                } else if (range.contains("-")) {
                    String[] bounds = range.split("-");
                    from = value(bounds[0], names);
                    to = value(bounds[1], names);
                } else {
                    from = value(range, names);
                    to = slash >= 0 ? max : from;
                }
                if (from < min || to > max || from > to) {
                    throw new IllegalArgumentException("cron(): " + part + " is out of range " + min + "-" + max);
                }
                for (int v = from; v <= to; v += step) {
                    set.set(v);
                }
            }
            return set;
        }

        private static int value(String token, Map<String, Integer> names) {
            Integer named = names.get(token.toUpperCase(Locale.ROOT));
            if (named != null) {
                return named;
            }
            try {
                return Integer.parseInt(token);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("cron(): not a number or name: " + token + " (known: "
                        + List.copyOf(names.keySet()) + ")");
            }
        }
    }
}
