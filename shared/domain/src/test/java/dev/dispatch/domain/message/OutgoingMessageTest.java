package dev.dispatch.domain.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dispatch.domain.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutgoingMessageTest {

    @Test
    void givenLineBreaksInDisplayTexts_whenBuilt_thenTheyBecomeSpaces() {
        OutgoingMessage message = TestMessages.ada()
                .subject("Hi\r\nBcc: victim@example.com")
                .to(TestMessages.ada().build().to(), "Ada\nX-Evil: 1")
                .preheader("line one\r\nline two\u2028three")
                .build();

        assertEquals("Hi Bcc: victim@example.com", message.subject());
        assertEquals("Ada X-Evil: 1", message.toName());
        assertEquals("line one line two three", message.preheader());
    }

    @ParameterizedTest
    @ValueSource(strings = {"camp\r\nBcc: x@example.com", "camp\nX", "camp\u0000"})
    void givenLineBreakInCorrelationValue_whenBuilt_thenRefused(String value) {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> TestMessages.ada().correlation(OutgoingMessage.CAMPAIGN_ID, value).build());
        assertEquals("correlation.campaignId", e.field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://example.org/u/1", "https://example.org/u/1\r\nBcc: x@example.com",
            "https://example.org/u/<1>", "/u/1", "https://example.org/u/\u00e9t\u00e9", ""})
    void givenNonHttpsOrUnsafeUnsubscribeUrl_whenBuilt_thenRefused(String url) {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> TestMessages.ada().unsubscribeUrl(url).build());
        assertEquals("unsubscribeUrl", e.field());
    }

    @Test
    void givenMissingRequiredCorrelationOrBody_whenBuilt_thenRefusedNamingIt() {
        Map<String, String> noBatch = new LinkedHashMap<>(TestMessages.ada().build().correlation());
        noBatch.remove(OutgoingMessage.BATCH_ID);
        OutgoingMessage ok = TestMessages.ada().build();

        assertEquals("correlation.batchId", assertThrows(InvalidInputException.class, () -> new OutgoingMessage(ok.to(),
                null, ok.from(), null, null, "s", null, "<p>x</p>", null, ok.unsubscribeUrl(), noBatch, null)).field());
        assertEquals("html", assertThrows(InvalidInputException.class,
                () -> TestMessages.ada().html(null).text(null).build()).field());
        assertEquals("subject", assertThrows(InvalidInputException.class,
                () -> TestMessages.ada().subject(" \r\n ").build()).field());
        assertEquals("correlation", assertThrows(InvalidInputException.class,
                () -> TestMessages.ada().correlation("bad-key", "x").build()).field());
        assertEquals("correlation.Variant", assertThrows(InvalidInputException.class,
                () -> TestMessages.ada().correlation("Variant", "x").build()).field());
        assertEquals("correlation.campaignId", assertThrows(InvalidInputException.class,
                () -> TestMessages.ada().correlation(OutgoingMessage.CAMPAIGN_ID, "x".repeat(81)).build()).field());
    }

    @Test
    void givenBlankNames_whenBuilt_thenNull() {
        OutgoingMessage message = TestMessages.ada().to(TestMessages.ada().build().to(), "  ").from(
                TestMessages.ada().build().from(), null).build();

        assertNull(message.toName());
        assertNull(message.fromName());
        assertEquals("camp-1", message.campaignId());
        assertEquals("A", message.variant());
    }
}
