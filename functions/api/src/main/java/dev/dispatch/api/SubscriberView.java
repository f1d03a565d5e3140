package dev.dispatch.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.dispatch.domain.subscriber.Subscriber;
import java.time.Instant;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record SubscriberView(
        String email,
        String firstName,
        String lastName,
        Map<String, Object> attributes,
        List<String> segments,
        String status,
        double engagementScore,
        String timeZone,
        String source,
        Instant createdAt,
        Instant updatedAt,
        Instant suppressedAt) {

    static SubscriberView of(Subscriber s) {
        return new SubscriberView(s.email().value(), s.firstName(), s.lastName(), s.attributes(), List.copyOf(s.segments()),
                s.status().wireName(), s.engagementScore(), s.timeZone(), s.source(), s.createdAt(), s.updatedAt(),
                s.suppression() == null ? null : s.suppression().since());
    }
}
