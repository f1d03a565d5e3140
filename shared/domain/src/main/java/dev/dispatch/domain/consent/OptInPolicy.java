package dev.dispatch.domain.consent;

import dev.dispatch.domain.subscriber.ConsentRecord;
import dev.dispatch.domain.subscriber.ConsentRecord.Action;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.PendingOptIn;
import dev.dispatch.domain.subscriber.Subscriber;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Double opt-in and consent records, applied to every write that may add someone to a segment (API add and update,
 * import). A segment added to a profile becomes a member at once and gets a {@code given} consent record, unless the
 * segment asks for double opt-in: then it is held as a {@link PendingOptIn} (not a segment of the profile, so no
 * campaign reaches the person there), a {@code requested} record is written and a confirmation mail goes out once.
 *
 * <p>Asked again for a segment whose request is younger than the cool-down, the request stands as it is: no new
 * mail (its mail is only made sure of, which never sends twice). After the cool-down, or once it expired, a new
 * request with a new mail replaces it.
 */
public class OptInPolicy {
    private final SegmentSettingsStore settings;
    private final ConfirmationNumbers numbers;
    private final ConfirmationMail mail;
    private final Duration expiry;
    private final Duration cooldown;
    private final Clock clock;

    /** How a change came in: {@code method} (api, import, ...) and {@code source} (API key id, import id). */
    public record Origin(String method, String source, String ip, String userAgent) {
        public static Origin of(String method, String source) {
            return new Origin(method, source, null, null);
        }
    }

    /**
     * A decided write: the profile to store and the confirmation mails to make sure of after it is stored
     * ({@code newRequests} are new; {@code standing} are requests inside their cool-down, asked for again).
     */
    public record Decision(Subscriber subscriber, List<PendingOptIn> newRequests, List<PendingOptIn> standing) {}

    public OptInPolicy(SegmentSettingsStore settings, ConfirmationNumbers numbers, ConfirmationMail mail,
            Duration expiry, Duration cooldown, Clock clock) {
        if (expiry.isNegative() || expiry.isZero() || cooldown.isNegative()) {
            throw new IllegalArgumentException("expiry must be > 0 and cool-down >= 0");
        }
        this.settings = settings;
        this.numbers = numbers;
        this.mail = mail;
        this.expiry = expiry;
        this.cooldown = cooldown;
        this.clock = clock;
    }

    public Duration expiry() {
        return expiry;
    }

    public Map<String, SegmentSettings> settingsOf(Collection<String> segments) {
        return segments.isEmpty() ? Map.of() : settings.findAll(segments);
    }

    /**
     * Decides a write (see {@link #decide(Subscriber, Subscriber, boolean, Origin, Map, Instant, Duration, Duration,
     * ConfirmationNumbers)}) with the stored settings of the segments it touches and this policy's periods.
     */
    public Decision decide(Subscriber before, Subscriber after, boolean replacesSegments, Origin origin) {
        Set<String> touched = new HashSet<>(after.segments());
        if (before != null) {
            touched.removeAll(before.segments());
        }
        return decide(before, after, replacesSegments, origin, settingsOf(touched));
    }

    /**
     * As {@link #decide(Subscriber, Subscriber, boolean, Origin)} with settings read before ({@link #settingsOf}, which
     * must cover the segments the write adds): a bulk import reads them once, not once a row.
     */
    public Decision decide(Subscriber before, Subscriber after, boolean replacesSegments, Origin origin,
            Map<String, SegmentSettings> settings) {
        return decide(before, after, replacesSegments, origin, settings, clock.instant(), expiry, cooldown, numbers);
    }

    /**
     * The pure rule.
     *
     * @param before the stored profile (null: a new one)
     * @param after the profile as the write would store it, its segments being the ones asked for (pending
     *     segments of {@code before} are not among its segments unless asked for again)
     * @param replacesSegments whether the write names the complete list of segments (a PUT with segments): then a
     *     pending request for a segment not named is dropped; otherwise (import, PUT without segments) it stays
     */
    public static Decision decide(Subscriber before, Subscriber after, boolean replacesSegments, Origin origin,
            Map<String, SegmentSettings> settings, Instant now, Duration expiry, Duration cooldown,
            ConfirmationNumbers numbers) {
        Set<String> activeBefore = before == null ? Set.of() : before.segments();
        SortedMap<String, PendingOptIn> pendingBefore = before == null
                ? new java.util.TreeMap<>() : before.optIns().open(now);
        SortedSet<String> segments = new TreeSet<>();
        SortedMap<String, PendingOptIn> pending = new java.util.TreeMap<>();
        List<ConsentRecord> added = new ArrayList<>();
        List<PendingOptIn> newRequests = new ArrayList<>();
        List<PendingOptIn> standing = new ArrayList<>();
        for (String segment : after.segments()) {
            if (activeBefore.contains(segment)) {
                segments.add(segment);
                continue;
            }
            SegmentSettings s = settings.get(segment);
            if (s != null && s.doubleOptIn() && s.confirmationCampaign() != null) {
                PendingOptIn open = pendingBefore.get(segment);
                if (open != null && now.isBefore(open.requestedAt().plus(cooldown))) {
                    pending.put(segment, open);
                    standing.add(open);
                    continue;
                }
                PendingOptIn request = new PendingOptIn(segment, now, now.plus(expiry), s.confirmationCampaign(),
                        numbers.next(s.confirmationCampaign()));
                pending.put(segment, request);
                newRequests.add(request);
                added.add(record(segment, now, Action.REQUESTED, origin, s));
            } else {
                segments.add(segment);
                added.add(record(segment, now, Action.GIVEN, origin, s));
            }
        }
        if (!replacesSegments) {
            pendingBefore.forEach(pending::putIfAbsent); // not asked for again: the request stands
        }
        Subscriber decided = new Subscriber(after.email(), after.firstName(), after.lastName(), after.attributes(),
                segments, after.engagementScore(), after.timeZone(), after.source(), after.createdAt(), after.updatedAt(),
                after.suppression(), after.optIns().with(pending, added));
        if (before != null) {
            // Nothing changed after all (e.g. a re-import inside the cool-down): the stored profile, so no write.
            decided = decided.sameContentAs(before) ? before : new Subscriber(decided.email(), decided.firstName(),
                    decided.lastName(), decided.attributes(), decided.segments(), decided.engagementScore(),
                    decided.timeZone(), decided.source(), decided.createdAt(), now, decided.suppression(), decided.optIns());
        }
        return new Decision(decided, newRequests, standing);
    }

    /** After the decided profile is stored: its confirmation mails (each sent once, whatever happens). */
    public void sendConfirmations(EmailAddress email, Decision decision) {
        decision.newRequests().forEach(p -> mail.ensureQueued(email, p));
        decision.standing().forEach(p -> mail.ensureQueued(email, p));
    }

    static ConsentRecord record(String segment, Instant now, Action action, Origin origin, SegmentSettings s) {
        Origin o = origin == null ? Origin.of("api", null) : origin;
        return new ConsentRecord(segment, now, action, o.method(), o.source(), o.ip(), o.userAgent(),
                s == null ? null : s.consentText(), s == null ? null : s.consentVersion());
    }
}
