package dev.dispatch.adapter.sqs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementType;
import dev.dispatch.domain.subscriber.EmailAddress;
import java.time.Instant;
import java.util.List;

/**
 * The body of an engagement-queue message: verified, normalized events, as JSON.
 *
 * @param events the events, in the order received
 */
public record EngagementMessage(List<Event> events) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public EngagementMessage {
        events = events == null ? List.of() : List.copyOf(events);
    }

    /** One event; the fields of {@link EngagementEvent}, as strings. */
    public record Event(String provider, String providerEventId, String type, String recipient, String occurredAt,
            String campaignId, String variant, String recipientKey, String batchId, String url, String detail,
            String providerType) {

        public static Event of(EngagementEvent e) {
            return new Event(e.provider(), e.providerEventId(), e.type().name(), e.recipient().value(),
                    e.occurredAt().toString(), e.campaignId(), e.variant(), e.recipientKey(), e.batchId(), e.url(),
                    e.detail(), e.providerType());
        }

        /** The domain event; an IllegalArgumentException names what is wrong. */
        public EngagementEvent toEvent() {
            if (type == null || recipient == null || occurredAt == null) {
                throw new IllegalArgumentException("queued event without type, recipient or occurredAt");
            }
            return new EngagementEvent(provider, providerEventId, EngagementType.valueOf(type),
                    EmailAddress.parse(recipient), Instant.parse(occurredAt), campaignId, variant, recipientKey,
                    batchId, url, detail, providerType);
        }
    }

    public static EngagementMessage of(List<EngagementEvent> events) {
        return new EngagementMessage(events.stream().map(Event::of).toList());
    }

    public List<EngagementEvent> toEvents() {
        return events.stream().map(Event::toEvent).toList();
    }

    public String json() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static EngagementMessage parse(String json) {
        try {
            return JSON.readValue(json, EngagementMessage.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an engagement message: " + e.getOriginalMessage());
        }
    }
}
