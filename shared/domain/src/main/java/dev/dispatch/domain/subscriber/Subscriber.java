package dev.dispatch.domain.subscriber;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A subscriber's profile together with its suppression, if any. The status is never stored on the profile: it is
 * derived from the suppression, so that no write of the profile can lift a suppression by accident.
 */
public record Subscriber(
        EmailAddress email,
        String firstName,
        String lastName,
        Map<String, Object> attributes,
        SortedSet<String> segments,
        double engagementScore,
        String timeZone,
        String source,
        Instant createdAt,
        Instant updatedAt,
        Suppression suppression,
        /** Double opt-ins waiting for confirmation and consent records (never null). */
        OptIns optIns) {

    /** A subscriber without opt-ins or consent records. */
    public Subscriber(EmailAddress email, String firstName, String lastName, Map<String, Object> attributes,
            SortedSet<String> segments, double engagementScore, String timeZone, String source, Instant createdAt,
            Instant updatedAt, Suppression suppression) {
        this(email, firstName, lastName, attributes, segments, engagementScore, timeZone, source, createdAt, updatedAt,
                suppression, OptIns.NONE);
    }

    public Subscriber {
        Objects.requireNonNull(email, "email");
        optIns = optIns == null ? OptIns.NONE : optIns;
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        segments = segments == null ? new TreeSet<>() : new TreeSet<>(segments);
    }

    public static Subscriber create(EmailAddress email, SubscriberDetails details, String source, Instant now) {
        return new Subscriber(email, details.firstName(), details.lastName(), details.attributes(), details.segments(),
                0.0, details.timeZone(), source, now, now, null);
    }

    public SubscriberStatus status() {
        return suppression == null ? SubscriberStatus.ACTIVE : suppression.reason();
    }

    public boolean mailable() {
        return suppression == null;
    }

    public Subscriber withSuppression(Suppression newSuppression) {
        return new Subscriber(email, firstName, lastName, attributes, segments, engagementScore, timeZone, source,
                createdAt, updatedAt, newSuppression, optIns);
    }

    /** The same profile with other segments and opt-ins (the caller decides the updatedAt through touched). */
    public Subscriber withSegmentsAndOptIns(SortedSet<String> newSegments, OptIns newOptIns, Instant now) {
        return touched(new Subscriber(email, firstName, lastName, attributes, newSegments, engagementScore, timeZone,
                source, createdAt, updatedAt, suppression, newOptIns), now);
    }

    /** PUT semantics: every field given replaces the stored one; fields not given stay. */
    public Subscriber replacing(SubscriberDetails patch, Instant now) {
        return touched(new Subscriber(email,
                patch.firstName() != null ? patch.firstName() : firstName,
                patch.lastName() != null ? patch.lastName() : lastName,
                patch.attributes() != null ? patch.attributes() : attributes,
                patch.segments() != null ? patch.segments() : segments,
                engagementScore,
                patch.timeZone() != null ? patch.timeZone() : timeZone,
                source, createdAt, updatedAt, suppression, optIns), now);
    }

    /**
     * Import semantics: given names and time zone replace, attributes are merged key by key, segments are added
     * (an import never removes anyone from a segment). Re-importing the same row changes nothing.
     */
    public Subscriber mergingImport(SubscriberDetails row, Instant now) {
        Map<String, Object> mergedAttributes = new TreeMap<>(attributes);
        if (row.attributes() != null) {
            mergedAttributes.putAll(row.attributes());
        }
        SortedSet<String> mergedSegments = new TreeSet<>(segments);
        if (row.segments() != null) {
            mergedSegments.addAll(row.segments());
        }
        return touched(new Subscriber(email,
                row.firstName() != null ? row.firstName() : firstName,
                row.lastName() != null ? row.lastName() : lastName,
                mergedAttributes, mergedSegments, engagementScore,
                row.timeZone() != null ? row.timeZone() : timeZone,
                source, createdAt, updatedAt, suppression, optIns), now);
    }

    /** Same profile content, ignoring timestamps: what decides whether a write is needed at all. */
    public boolean sameContentAs(Subscriber other) {
        return email.equals(other.email)
                && Objects.equals(firstName, other.firstName)
                && Objects.equals(lastName, other.lastName)
                && attributesEqual(attributes, other.attributes)
                && segments.equals(other.segments)
                && Objects.equals(timeZone, other.timeZone)
                && optIns.equals(other.optIns);
    }

    private Subscriber touched(Subscriber changed, Instant now) {
        if (changed.sameContentAs(this)) {
            return this;
        }
        return new Subscriber(changed.email, changed.firstName, changed.lastName, changed.attributes, changed.segments,
                changed.engagementScore, changed.timeZone, changed.source, changed.createdAt, now, changed.suppression,
                changed.optIns);
    }

    // Numbers compare by value: 1.0 read back from storage equals 1 given in a file.
    private static boolean attributesEqual(Map<String, Object> a, Map<String, Object> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, Object> entry : a.entrySet()) {
            Object x = entry.getValue();
            Object y = b.get(entry.getKey());
            if (x instanceof java.math.BigDecimal dx && y instanceof java.math.BigDecimal dy) {
                if (dx.compareTo(dy) != 0) {
                    return false;
                }
            } else if (!Objects.equals(x, y)) {
                return false;
            }
        }
        return true;
    }
}
