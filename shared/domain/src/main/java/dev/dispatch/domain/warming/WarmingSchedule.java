package dev.dispatch.domain.warming;

import java.util.List;

/**
 * How much a warming IP pool may send on each day of its warm-up. Either a daily table (emails per day) or an
 * hourly table (emails per sending hour, the shape SendGrid publishes), day 1 first; after the last day the pool is
 * warm and has no warming cap.
 *
 * @param name the schedule's name in {@code warming.yaml}
 * @param unit what each entry counts
 * @param volumes one entry per day of the warm-up, each at least 1
 */
public record WarmingSchedule(String name, Unit unit, List<Long> volumes) {
    public enum Unit {
        /** Emails per UTC day. */
        DAY,
        /** Emails per sending hour: the day's volume is the entry times the plan's sending hours. */
        HOUR
    }

    public WarmingSchedule {
        volumes = List.copyOf(volumes);
    }

    /**
     * A geometric ramp from {@code first} to {@code last} emails a day over {@code days} days (each day about the
     * same factor above the one before), the shape of the product's default: 50 to 3,000 over 30 days.
     */
    public static WarmingSchedule ramp(String name, long first, long last, int days) {
        if (days < 2 || first < 1 || last < first) {
            throw new IllegalArgumentException("a ramp needs days >= 2 and 1 <= first <= last");
        }
        double factor = Math.pow((double) last / first, 1.0 / (days - 1));
        Long[] volumes = new Long[days];
        for (int d = 0; d < days; d++) {
            volumes[d] = d == days - 1 ? last : Math.max(1, Math.round(first * Math.pow(factor, d)));
        }
        return new WarmingSchedule(name, Unit.DAY, List.of(volumes));
    }

    /** Days in the warm-up; day {@code days() + 1} and later are warm. */
    public int days() {
        return volumes.size();
    }

    /** Emails on warm-up day {@code day} (1-based) of a plan sending {@code sendingHoursPerDay} hours a day. */
    public long dailyVolume(int day, int sendingHoursPerDay) {
        if (day < 1 || day > days()) {
            throw new IllegalArgumentException("day " + day + " is outside the schedule's 1.." + days());
        }
        long v = volumes.get(day - 1);
        return unit == Unit.HOUR ? v * sendingHoursPerDay : v;
    }
}
