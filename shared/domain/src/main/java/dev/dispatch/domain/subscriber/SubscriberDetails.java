package dev.dispatch.domain.subscriber;

import java.util.Map;
import java.util.SortedSet;

/**
 * The editable part of a subscriber, already validated. A null field means "not given" in a patch; in a
 * complete profile null names and time zone mean "unknown".
 */
public record SubscriberDetails(
        String firstName, String lastName, Map<String, Object> attributes, SortedSet<String> segments, String timeZone) {

    /** Validates raw values; segments and attributes may be null (not given). */
    public static SubscriberDetails of(
            String firstName, String lastName, Map<String, ?> attributes, java.util.Collection<String> segments, String timeZone) {
        return new SubscriberDetails(
                SubscriberRules.name("firstName", firstName),
                SubscriberRules.name("lastName", lastName),
                attributes == null ? null : SubscriberRules.attributes(attributes),
                segments == null ? null : SubscriberRules.segments(segments),
                SubscriberRules.timeZone(timeZone));
    }
}
