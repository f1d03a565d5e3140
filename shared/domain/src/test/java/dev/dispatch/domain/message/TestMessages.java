package dev.dispatch.domain.message;

import dev.dispatch.domain.subscriber.EmailAddress;

/** Messages for tests: a complete one to start from. */
public final class TestMessages {
    private TestMessages() {}

    /** Ada at example.com from news@example.org, HTML and text, campaign "camp-1", variant "A", batch "b-1". */
    public static OutgoingMessage.Builder ada() {
        return to("ada@example.com", "Ada Lovelace");
    }

    public static OutgoingMessage.Builder to(String email, String name) {
        return OutgoingMessage.builder()
                .to(EmailAddress.parse(email), name)
                .from(EmailAddress.parse("news@example.org"), "Dispatch News")
                .replyTo(EmailAddress.parse("help@example.org"))
                .subject("Hello " + (name == null ? "there" : name))
                .html("<html><body><p>Hi " + (name == null ? "there" : name) + "</p></body></html>")
                .text("Hi " + (name == null ? "there" : name))
                .unsubscribeUrl("https://example.org/u/" + email.replace('@', '.'))
                .correlation("camp-1", email, "A", "b-1");
    }
}
