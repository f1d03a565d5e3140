package dev.dispatch.domain.engagement;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dispatch.domain.subscriber.EmailAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngagementEventTest {
    private static final EmailAddress ADA = EmailAddress.parse("ada@example.com");

    @Test
    void givenADetailWithLineBreaksAndTooLong_thenOneLineCutToTheLimit() {
        EngagementEvent event = EngagementEvent.builder("ses", "id", EngagementType.BOUNCED, ADA, Instant.EPOCH)
                .detail("550 user unknown\r\nX-Injected: yes " + "x".repeat(600)).build();
        assertEquals(EngagementEvent.MAX_DETAIL_LENGTH, event.detail().length());
        assertFalse(event.detail().contains("\n"));
        assertEquals("550 user unknown X-Injected: yes", event.detail().substring(0, 32));
    }

    @Test
    void givenBlankOptionalValues_thenNull() {
        EngagementEvent event = EngagementEvent.builder("ses", "id", EngagementType.OPENED, ADA, Instant.EPOCH)
                .correlation(" ", "", null, "\t").url(" ").detail(" \n ").build();
        assertNull(event.campaignId());
        assertNull(event.variant());
        assertNull(event.batchId());
        assertNull(event.url());
        assertNull(event.detail());
    }

    @Test
    void givenNoIdentityOrAHugeOne_thenRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> EngagementEvent.builder("ses", " ", EngagementType.OPENED, ADA, Instant.EPOCH).build());
        assertThrows(IllegalArgumentException.class,
                () -> EngagementEvent.builder("ses", "x".repeat(1025), EngagementType.OPENED, ADA, Instant.EPOCH).build());
        assertThrows(NullPointerException.class,
                () -> EngagementEvent.builder("ses", "id", null, ADA, Instant.EPOCH).build());
    }

    @Test
    void givenARequest_thenHeadersAnyCase_bodyCopied_andNothingSensitiveInToString() {
        byte[] body = "secret body ada@example.com".getBytes(StandardCharsets.UTF_8);
        WebhookRequest request = new WebhookRequest(Map.of("Authorization", "Basic c2VjcmV0"), body, null, Instant.EPOCH);
        assertEquals("Basic c2VjcmV0", request.header("authorization"));
        assertEquals("Basic c2VjcmV0", request.header("AUTHORIZATION"));
        body[0] = 'X';
        request.body()[1] = 'Y';
        assertArrayEquals("secret body ada@example.com".getBytes(StandardCharsets.UTF_8), request.body());
        assertFalse(request.toString().contains("secret"));
        assertFalse(request.toString().contains("c2VjcmV0"));
        assertEquals(request, new WebhookRequest(Map.of("authorization", "Basic c2VjcmV0"),
                "secret body ada@example.com".getBytes(StandardCharsets.UTF_8), Map.of(), Instant.EPOCH));
    }

    @Test
    void givenResults_thenConfirmationOnlyWhenAUrlIsGiven() {
        assertFalse(WebhookResult.of(List.of()).isSubscriptionConfirmation());
        assertEquals("https://sns.example/confirm", WebhookResult.confirmSubscription("https://sns.example/confirm").subscriptionConfirmUrl());
    }
}
