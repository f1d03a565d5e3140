package dev.dispatch.adapter.render;

import dev.dispatch.domain.message.MessageHeaders;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.message.TestMessages;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class MimeMessagesTest {
    private static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");
    private final MimeMessages mime = new MimeMessages(Clock.fixed(NOW, ZoneOffset.UTC));

    private static MimeMessage parse(byte[] bytes) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
    }

    @Test
    void givenHtmlAndText_whenBuilt_thenAlternativeWithTextFirstThenHtmlInUtf8() throws Exception {
        OutgoingMessage message = TestMessages.ada()
                .subject("Café news for Ada ✓")
                .html("<html><body><p>Grüße, Ada</p></body></html>")
                .text("Grüße, Ada")
                .build();

        MimeMessage parsed = parse(mime.toBytes(message));

        assertEquals("Café news for Ada ✓", parsed.getSubject());
        assertTrue(parsed.getContentType().startsWith("multipart/alternative"), parsed.getContentType());
        Multipart parts = (Multipart) parsed.getContent();
        assertEquals(2, parts.getCount());
        assertTrue(parts.getBodyPart(0).isMimeType("text/plain"));
        assertTrue(parts.getBodyPart(0).getContentType().toLowerCase().contains("charset=utf-8"));
        assertEquals("Grüße, Ada", parts.getBodyPart(0).getContent());
        assertTrue(parts.getBodyPart(1).isMimeType("text/html"));
        assertEquals("<html><body><p>Grüße, Ada</p></body></html>", parts.getBodyPart(1).getContent());
    }

    @Test
    void givenAddresses_whenBuilt_thenFromToReplyToDateAndMessageIdSet() throws Exception {
        MimeMessage parsed = parse(mime.toBytes(TestMessages.ada().build()));

        InternetAddress from = (InternetAddress) parsed.getFrom()[0];
        assertEquals("news@example.org", from.getAddress());
        assertEquals("Dispatch News", from.getPersonal());
        InternetAddress to = (InternetAddress) parsed.getRecipients(Message.RecipientType.TO)[0];
        assertEquals("ada@example.com", to.getAddress());
        assertEquals("Ada Lovelace", to.getPersonal());
        assertEquals("help@example.org", ((InternetAddress) parsed.getReplyTo()[0]).getAddress());
        assertEquals(NOW, parsed.getSentDate().toInstant());
        assertTrue(parsed.getMessageID().matches("<[0-9a-f-]{36}@example\\.org>"), parsed.getMessageID());
    }

    @Test
    void givenMessage_whenBuilt_thenOneClickUnsubscribeAndCorrelationHeaders() throws Exception {
        OutgoingMessage message = TestMessages.ada().correlation("segment", "vip").build();

        MimeMessage parsed = parse(mime.toBytes(message));

        assertEquals("<https://example.org/u/ada.example.com>", parsed.getHeader("List-Unsubscribe", null));
        assertEquals("List-Unsubscribe=One-Click", parsed.getHeader("List-Unsubscribe-Post", null));
        assertEquals("camp-1", parsed.getHeader("X-Dispatch-Campaign", null));
        assertEquals("ada@example.com", parsed.getHeader("X-Dispatch-Recipient", null));
        assertEquals("A", parsed.getHeader("X-Dispatch-Variant", null));
        assertEquals("b-1", parsed.getHeader("X-Dispatch-Batch", null));
        assertEquals("vip", parsed.getHeader("X-Dispatch-segment", null));
    }

    @Test
    void givenHtmlOnlyWithPreheader_whenBuilt_thenTextDerivedAndPreheaderHiddenFirstInBody() throws Exception {
        OutgoingMessage message = TestMessages.ada()
                .preheader("Our <best> offer")
                .html("<html><head><style>p{color:red}</style></head><body>"
                        + "<h1>Spring sale</h1><p>Hello Ada,<br>prices are down.</p>"
                        + "<p>See <a href=\"https://shop.example/sale?x=1&amp;y=2\">the sale</a> or "
                        + "<a href=\"https://shop.example\">https://shop.example</a>.</p>"
                        + "<ul><li>Tea</li><li>Cake</li></ul><img src=\"x.png\" alt=\"Logo\"></body></html>")
                .text(null)
                .build();

        MimeMessage parsed = parse(mime.toBytes(message));

        Multipart parts = (Multipart) parsed.getContent();
        String text = (String) parts.getBodyPart(0).getContent();
        assertEquals("Spring sale\n\nHello Ada,\nprices are down.\n\n"
                + "See the sale (https://shop.example/sale?x=1&y=2) or https://shop.example.\n\n"
                + "- Tea\n- Cake\n\nLogo", text.replace("\r\n", "\n"));
        String html = (String) parts.getBodyPart(1).getContent();
        assertTrue(html.startsWith("<html><head><style>p{color:red}</style></head><body><div style=\"display:none;"),
                html);
        assertTrue(html.contains("aria-hidden=\"true\">Our &lt;best&gt; offer</div><h1>Spring sale</h1>"), html);
        assertFalse(text.contains("offer"), "the preheader is not part of the text alternative");
    }

    @Test
    void givenTextOnly_whenBuilt_thenSinglePlainPart() throws Exception {
        MimeMessage parsed = parse(mime.toBytes(TestMessages.ada().html(null).text("Just text").build()));

        assertTrue(parsed.isMimeType("text/plain"));
        assertEquals("Just text", ((String) parsed.getContent()).strip());
    }

    @Test
    void givenInjectionAttemptsInSubjectAndName_whenBuilt_thenNoExtraHeaderAppears() throws Exception {
        OutgoingMessage message = TestMessages.ada()
                .subject("Hello\r\nBcc: victim@example.com\r\n\r\nbody")
                .from(TestMessages.ada().build().from(), "News\r\nCc: other@example.com")
                .build();

        byte[] bytes = mime.toBytes(message);
        MimeMessage parsed = parse(bytes);

        assertNull(parsed.getHeader("Bcc"));
        assertNull(parsed.getHeader("Cc"));
        assertEquals("Hello Bcc: victim@example.com body", parsed.getSubject());
        assertEquals(1, parsed.getRecipients(Message.RecipientType.TO).length);
        String raw = new String(bytes, StandardCharsets.US_ASCII);
        assertFalse(raw.contains("\r\nBcc:"));
    }

    @Test
    void givenHeaderValueWithLineBreak_whenGuarded_thenRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> MessageHeaders.singleLine("X-Dispatch-Campaign", "a\r\nBcc: x@example.com"));
        assertThrows(IllegalArgumentException.class, () -> MessageHeaders.singleLine("X", "a\nb"));
        assertEquals("fine value", MessageHeaders.singleLine("X", "fine value"));
    }

    @Test
    void givenNonAsciiCorrelationValue_whenBuilt_thenHeaderEncodedAndReadsBack() throws Exception {
        MimeMessage parsed = parse(mime.toBytes(TestMessages.ada().correlation(OutgoingMessage.VARIANT, "été").build()));

        String raw = parsed.getHeader("X-Dispatch-Variant", null);
        assertTrue(raw.startsWith("=?UTF-8?Q?"), raw);
        assertEquals("été", jakarta.mail.internet.MimeUtility.decodeText(raw));
        Part part = ((Multipart) parsed.getContent()).getBodyPart(0);
        assertEquals("Hi Ada Lovelace", part.getContent());
    }
}
