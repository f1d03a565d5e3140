package dev.dispatch.adapter.render;

import dev.dispatch.domain.message.MessageHeaders;
import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.subscriber.EmailAddress;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Date;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * RFC 5322 messages (jakarta.mail / angus-mail) for {@link OutgoingMessage}s: {@code multipart/alternative} with
 * the text part first and the HTML part second (a text-only message is a single {@code text/plain} part), UTF-8
 * throughout, From with the display name, To, Reply-To, Subject, Date, a Message-ID on the sender's domain, RFC
 * 8058 one-click unsubscribe headers and the {@code X-Dispatch-*} correlation headers.
 *
 * <p>Header values are single lines by construction ({@link OutgoingMessage} strips or refuses line breaks) and
 * checked again by {@link MessageHeaders#singleLine} before they are set. Thread-safe.
 */
public final class MimeMessages {
    private static final String UTF_8 = StandardCharsets.UTF_8.name();

    // No transport is ever used: the session only carries MIME settings, so one is shared.
    private final Session session = Session.getInstance(new Properties());
    private final Clock clock;

    public MimeMessages(Clock clock) {
        this.clock = clock;
    }

    public MimeMessages() {
        this(Clock.systemUTC());
    }

    /** The message as the bytes a raw-sending API takes. */
    public byte[] toBytes(OutgoingMessage message) {
        MimeMessage mime = toMime(message);
        ByteArrayOutputStream out = new ByteArrayOutputStream(estimatedSize(message));
        try {
            mime.writeTo(out);
        } catch (IOException | MessagingException e) {
            throw new IllegalStateException("could not write the MIME message", e);
        }
        return out.toByteArray();
    }

    public MimeMessage toMime(OutgoingMessage message) {
        String messageId = "<" + UUID.randomUUID() + "@" + message.from().domain() + ">";
        MimeMessage mime = new FixedIdMimeMessage(session, messageId);
        try {
            mime.setFrom(address(message.from(), message.fromName()));
            mime.setRecipient(Message.RecipientType.TO, address(message.to(), message.toName()));
            if (message.replyTo() != null) {
                mime.setReplyTo(new InternetAddress[] {address(message.replyTo(), null)});
            }
            mime.setSubject(MessageHeaders.singleLine("Subject", message.subject()), UTF_8);
            mime.setSentDate(Date.from(clock.instant()));
            for (Map.Entry<String, String> header : MessageHeaders.of(message).entrySet()) {
                mime.setHeader(header.getKey(), encoded(header.getValue()));
            }
            String text = MessageBodies.text(message);
            String html = MessageBodies.html(message);
            if (html == null) {
                mime.setText(text, UTF_8, "plain");
            } else {
                MimeBodyPart textPart = new MimeBodyPart();
                textPart.setText(text, UTF_8, "plain");
                MimeBodyPart htmlPart = new MimeBodyPart();
                htmlPart.setText(html, UTF_8, "html");
                MimeMultipart alternative = new MimeMultipart("alternative");
                alternative.addBodyPart(textPart); // least preferred first (RFC 2046)
                alternative.addBodyPart(htmlPart);
                mime.setContent(alternative);
            }
            mime.saveChanges();
        } catch (MessagingException e) {
            throw new IllegalStateException("could not build the MIME message", e);
        }
        return mime;
    }

    private static InternetAddress address(EmailAddress email, String name) throws MessagingException {
        try {
            InternetAddress address = new InternetAddress(email.value(), name == null ? null
                    : MessageHeaders.singleLine("display name", name), UTF_8);
            address.validate();
            return address;
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** ASCII values as they are; others as RFC 2047 encoded words. */
    private static String encoded(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) > 126) {
                try {
                    return MimeUtility.fold(20, MimeUtility.encodeText(value, UTF_8, "Q"));
                } catch (UnsupportedEncodingException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return value;
    }

    private static int estimatedSize(OutgoingMessage message) {
        int html = message.html() == null ? 0 : message.html().length();
        int text = message.text() == null ? html / 2 : message.text().length();
        return Math.max(4096, (html + text) * 11 / 10 + 2048);
    }

    /** Keeps the Message-ID chosen here instead of one built from the local host name at saveChanges(). */
    private static final class FixedIdMimeMessage extends MimeMessage {
        private final String messageId;

        FixedIdMimeMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
