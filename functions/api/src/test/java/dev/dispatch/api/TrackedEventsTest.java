package dev.dispatch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrackedEventsTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final String OK = "{\"id\":\"e1\",\"type\":\"opened\",\"email\":\"ada@Example.COM\",\"timestamp\":\"2026-12-01T10:00:00Z\"}";

    private static List<EngagementEvent> parse(String body) {
        return TrackedEvents.parse(body.getBytes(StandardCharsets.UTF_8), NOW);
    }

    private static InvalidInputException refused(String body) {
        return assertThrows(InvalidInputException.class, () -> parse(body));
    }

    @Test
    void givenAnArrayOrAnEventsObject_thenEveryEventIsReadAsProviderTrack() {
        List<EngagementEvent> events = parse("[" + OK + ",{\"id\":\"e2\",\"type\":\"SOFT_BOUNCED\",\"email\":\"bob@example.com\","
                + "\"timestamp\":1796119200,\"campaignId\":\"cmp_1\",\"variant\":\"B\",\"url\":\"https://example.com/x\","
                + "\"reason\":\"mailbox full\",\"recipientKey\":\"0123abcd\",\"batchId\":\"7\"}]");
        assertEquals(2, events.size());
        EngagementEvent first = events.get(0);
        assertEquals("track", first.provider());
        assertEquals("e1", first.providerEventId());
        assertEquals(EngagementType.OPENED, first.type());
        assertEquals("ada@example.com", first.recipient().value());
        assertEquals(Instant.parse("2026-12-01T10:00:00Z"), first.occurredAt());
        assertNull(first.campaignId());
        EngagementEvent second = events.get(1);
        assertEquals(EngagementType.SOFT_BOUNCED, second.type());
        assertEquals(Instant.ofEpochSecond(1796119200), second.occurredAt());
        assertEquals("cmp_1", second.campaignId());
        assertEquals("B", second.variant());
        assertEquals("https://example.com/x", second.url());
        assertEquals("mailbox full", second.detail());
        assertEquals("0123abcd", second.recipientKey());
        assertEquals("7", second.batchId());
        assertEquals(1, parse("{\"events\":[" + OK + "]}").size());
    }

    @Test
    void givenABadRow_thenTheRowAndFieldAreNamed() {
        String bad = "{\"id\":\"e2\",\"type\":\"opened\",\"email\":\"not-an-email\",\"timestamp\":\"2026-12-01T10:00:00Z\"}";
        assertEquals("events[1].email", refused("[" + OK + "," + bad + "]").field());
        assertEquals("events[0].id", refused("[{\"type\":\"opened\",\"email\":\"a@example.com\",\"timestamp\":1}]").field());
        assertEquals("events[0].id", refused("[{\"id\":7,\"type\":\"opened\",\"email\":\"a@example.com\",\"timestamp\":1}]").field());
        assertEquals("events[0].type", refused("[{\"id\":\"x\",\"type\":\"teleported\",\"email\":\"a@example.com\",\"timestamp\":1}]").field());
        assertEquals("events[0].type", refused("[{\"id\":\"x\",\"type\":\"other\",\"email\":\"a@example.com\",\"timestamp\":1}]").field());
        assertEquals("events[0].timestamp", refused("[{\"id\":\"x\",\"type\":\"opened\",\"email\":\"a@example.com\",\"timestamp\":\"yesterday\"}]").field());
        assertEquals("events[0].timestamp", refused("[{\"id\":\"x\",\"type\":\"opened\",\"email\":\"a@example.com\",\"timestamp\":1.5}]").field());
        // milliseconds where seconds are expected land far in the future
        assertEquals("events[0].timestamp", refused("[{\"id\":\"x\",\"type\":\"opened\",\"email\":\"a@example.com\",\"timestamp\":1796119200000}]").field());
        assertEquals("events[0].variant", refused("[{\"id\":\"x\",\"type\":\"opened\",\"email\":\"a@example.com\",\"timestamp\":1,\"variant\":\"a.b\"}]").field());
        assertEquals("events[0].url", refused("[{\"id\":\"x\",\"type\":\"clicked\",\"email\":\"a@example.com\",\"timestamp\":1,\"url\":\"javascript:alert(1)\"}]").field());
        assertEquals("events[0].campaignId", refused("[{\"id\":\"x\",\"type\":\"opened\",\"email\":\"a@example.com\",\"timestamp\":1,\"campaignId\":\"a b\"}]").field());
        assertEquals("events[0].colour", refused("[{\"id\":\"x\",\"type\":\"opened\",\"email\":\"a@example.com\",\"timestamp\":1,\"colour\":\"red\"}]").field());
        assertEquals("events[0]", refused("[\"opened\"]").field());
    }

    @Test
    void givenABadBody_thenItIsRefusedAsAWhole() {
        assertEquals("body", refused("[{\"id\":").field());
        assertEquals("body", refused("").field());
        assertEquals("body", refused("\"events\"").field());
        assertEquals("body", refused("[" + OK + "] []").field());
        assertEquals("body", refused("[{\"id\":\"a\",\"id\":\"b\",\"type\":\"opened\",\"email\":\"a@example.com\",\"timestamp\":1}]").field());
        assertEquals("events", refused("[]").field());
        assertEquals("events", refused("{\"events\":{}}").field());
        assertEquals("extra", refused("{\"events\":[" + OK + "],\"extra\":1}").field());
    }

    @Test
    void givenMoreThanTheLimit_thenNoneIsAccepted() {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i <= TrackedEvents.MAX_EVENTS; i++) {
            body.append(i == 0 ? "" : ",").append(OK.replace("\"e1\"", "\"e" + i + "\""));
        }
        InvalidInputException e = refused(body + "]");
        assertEquals("events", e.field());
        assertTrue(e.reason().contains("1000"), e.reason());
        assertEquals(TrackedEvents.MAX_EVENTS, parse(body.substring(0, body.lastIndexOf(",{")) + "]").size());
    }
}
