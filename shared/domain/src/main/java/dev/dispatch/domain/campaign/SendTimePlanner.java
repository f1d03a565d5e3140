package dev.dispatch.domain.campaign;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Send-time planning, plain rules without storage: each recipient's zone and local time of day, and from them the
 * waves (recipients grouped by the UTC instant they are sent at).
 *
 * <p><b>Zone</b>: the profile's {@code timeZone}, else a {@code timezone}/{@code timeZone} attribute holding an IANA
 * name, else one inferred from the recipient's last opens and clicks when there are at least
 * {@value #MIN_EVENTS_FOR_ZONE} (people open mail in the daytime: the circular mean of their UTC engagement hours is
 * taken as {@value #ENGAGEMENT_CENTER_LOCAL_HOUR}:00 local, which gives a whole-hour UTC offset), else the campaign's
 * {@code defaultZone}.
 *
 * <p><b>Best hour</b> ({@link SendTime.Mode#BEST}): the local hour (in the recipient's zone) of most of their opens and
 * clicks when they have at least {@value #MIN_EVENTS_FOR_BEST_HOUR} (ties: the earliest hour); else the best hour of
 * their address domain (the most common best hour among the audience's recipients of that domain who have one, if
 * at least {@value #MIN_DOMAIN_VOTERS} do); else the sender's best hour (the most common best hour among all the
 * campaign's recipients who have one); else the campaign's {@code hour}. The campaign's {@code minute} applies to all.
 *
 * <p><b>Instant</b>: the local time on the plan's start date in the recipient's zone. If that already passed when the
 * plan started but the start is still within that local hour (09:40 for a 09:00 send), the recipient goes at once
 * (at the plan's start); if the hour is over, the next day at that time.
 */
public final class SendTimePlanner {
    public static final int MIN_EVENTS_FOR_ZONE = 5;
    public static final int MIN_EVENTS_FOR_BEST_HOUR = 3;
    public static final int MIN_DOMAIN_VOTERS = 3;
    public static final int ENGAGEMENT_CENTER_LOCAL_HOUR = 13;
    /** How many of a recipient's latest opens and clicks the rules look at. */
    public static final int ENGAGEMENT_SAMPLE = 50;

    private SendTimePlanner() {}

    /** One recipient as planned (stored in the plan's pages): its zone and own local minute of day (null: fallback). */
    public record Entry(String key, String variant, String zone, Integer minuteOfDay, String domain) {}

    /** A recipient with the instant it is sent at. */
    public record Scheduled(Entry entry, Instant at) {}

    /** A wave: everyone sent at one instant. */
    public record Wave(Instant at, int recipients) {}

    /** The recipient's zone (see the class comment). */
    public static ZoneId zoneOf(SendTime sendTime, String profileZone, Map<String, Object> attributes,
            List<Instant> engagement) {
        ZoneId own = ownZone(profileZone, attributes);
        if (own != null) {
            return own;
        }
        ZoneOffset inferred = inferOffset(engagement);
        return inferred != null ? inferred : sendTime.zone();
    }

    /** The zone the subscriber gave (profile, else attribute), or null. */
    public static ZoneId ownZone(String profileZone, Map<String, Object> attributes) {
        ZoneId own = parse(profileZone);
        if (own == null && attributes != null) {
            own = parse(attributes.get("timezone"));
            if (own == null) {
                own = parse(attributes.get("timeZone"));
            }
        }
        return own;
    }

    private static ZoneId parse(Object zone) {
        if (!(zone instanceof String s) || s.isBlank()) {
            return null;
        }
        try {
            return ZoneId.of(s.strip());
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** A whole-hour UTC offset from the engagement hours, or null with fewer than {@value #MIN_EVENTS_FOR_ZONE}. */
    static ZoneOffset inferOffset(List<Instant> engagement) {
        if (engagement == null || engagement.size() < MIN_EVENTS_FOR_ZONE) {
            return null;
        }
        double x = 0;
        double y = 0;
        for (Instant at : engagement) {
            double minutes = at.atZone(ZoneOffset.UTC).toLocalTime().toSecondOfDay() / 60.0;
            double angle = minutes / 1440.0 * 2 * Math.PI;
            x += Math.cos(angle);
            y += Math.sin(angle);
        }
        if (Math.hypot(x, y) < 1e-9) {
            return null; // spread evenly round the clock: nothing to infer
        }
        double meanHour = (Math.atan2(y, x) / (2 * Math.PI) * 24 + 24) % 24;
        int offset = (int) Math.round(ENGAGEMENT_CENTER_LOCAL_HOUR - meanHour);
        if (offset > 14) {
            offset -= 24;
        } else if (offset < -12) {
            offset += 24;
        }
        return ZoneOffset.ofHours(offset);
    }

    /** The recipient's own best local minute of day, or null with too little history. */
    public static Integer bestMinute(List<Instant> engagement, ZoneId zone, int minute) {
        if (engagement == null || engagement.size() < MIN_EVENTS_FOR_BEST_HOUR) {
            return null;
        }
        int[] byHour = new int[24];
        for (Instant at : engagement) {
            byHour[at.atZone(zone).getHour()]++;
        }
        int best = 0;
        for (int h = 1; h < 24; h++) {
            if (byHour[h] > byHour[best]) {
                best = h;
            }
        }
        return best * 60 + minute;
    }

    /** Every entry with its instant, in (instant, address) order: the order waves are released in. */
    public static List<Scheduled> schedule(SendTime sendTime, List<Entry> entries, Instant planStart) {
        Map<String, Map<Integer, Integer>> byDomain = new HashMap<>();
        Map<Integer, Integer> all = new TreeMap<>();
        for (Entry e : entries) {
            if (e.minuteOfDay() != null) {
                byDomain.computeIfAbsent(e.domain() == null ? "" : e.domain(), d -> new TreeMap<>())
                        .merge(e.minuteOfDay(), 1, Integer::sum);
                all.merge(e.minuteOfDay(), 1, Integer::sum);
            }
        }
        Integer senderBest = mostCommon(all, 1);
        int fallback = senderBest != null ? senderBest : sendTime.minuteOfDay();
        Map<String, Integer> domainBest = new HashMap<>();
        List<Scheduled> result = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            Integer minute = e.minuteOfDay();
            if (minute == null) {
                String domain = e.domain() == null ? "" : e.domain();
                Integer best = domainBest.computeIfAbsent(domain,
                        d -> mostCommon(byDomain.getOrDefault(d, Map.of()), MIN_DOMAIN_VOTERS));
                minute = best != null ? best : fallback;
            }
            result.add(new Scheduled(e, instant(ZoneId.of(e.zone()), minute, planStart)));
        }
        result.sort(ORDER);
        return result;
    }

    public static final Comparator<Scheduled> ORDER = Comparator.comparing(Scheduled::at)
            .thenComparing(s -> s.entry().key());

    /** The most common value with at least {@code minVotes} votes (ties: the smallest); null if none. */
    private static Integer mostCommon(Map<Integer, Integer> votes, int minVotes) {
        int total = votes.values().stream().mapToInt(Integer::intValue).sum();
        if (total < minVotes) {
            return null;
        }
        Integer best = null;
        for (Map.Entry<Integer, Integer> v : new TreeMap<>(votes).entrySet()) {
            if (best == null || v.getValue() > votes.get(best)) {
                best = v.getKey();
            }
        }
        return best;
    }

    /** When a recipient in {@code zone} is sent at local {@code minuteOfDay}, for a plan started at {@code start}. */
    public static Instant instant(ZoneId zone, int minuteOfDay, Instant start) {
        start = start.truncatedTo(ChronoUnit.SECONDS); // whole seconds: the release cursor orders by them
        LocalDate today = start.atZone(zone).toLocalDate();
        LocalTime time = LocalTime.of(minuteOfDay / 60, minuteOfDay % 60);
        ZonedDateTime at = ZonedDateTime.of(today, time, zone); // a DST gap moves it forward, an overlap takes the first
        if (!at.toInstant().isBefore(start)) {
            return at.toInstant();
        }
        Instant hourEnds = at.truncatedTo(ChronoUnit.HOURS).toInstant().plus(Duration.ofHours(1));
        if (start.isBefore(hourEnds)) {
            return start; // still within the local hour: at once
        }
        return ZonedDateTime.of(today.plusDays(1), time, zone).toInstant();
    }

    /** The waves of a schedule, earliest first. */
    public static List<Wave> waves(List<Scheduled> schedule) {
        Map<Instant, Integer> counts = new LinkedHashMap<>();
        for (Scheduled s : schedule) {
            counts.merge(s.at(), 1, Integer::sum);
        }
        return new TreeMap<>(counts).entrySet().stream().map(e -> new Wave(e.getKey(), e.getValue())).toList();
    }

    /** The release cursor of a scheduled recipient: its instant and address, ordered as {@link #ORDER}. */
    public static String cursor(Scheduled s) {
        return String.format("%020d|%s", s.at().getEpochSecond(), s.entry().key());
    }

    /** The scheduled recipients after {@code releasedThrough} (null: all) of a schedule in {@link #ORDER}. */
    public static List<Scheduled> after(List<Scheduled> schedule, String releasedThrough) {
        if (releasedThrough == null) {
            return schedule;
        }
        int i = 0;
        while (i < schedule.size() && cursor(schedule.get(i)).compareTo(releasedThrough) <= 0) {
            i++;
        }
        return schedule.subList(i, schedule.size());
    }
}
