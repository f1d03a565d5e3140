package dev.dispatch.adapter.provider;

import dev.dispatch.adapter.render.MessageTemplates;
import dev.dispatch.adapter.render.PersonalizationContext;
import dev.dispatch.domain.message.MessageContent;
import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.Subscriber;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Renders a small campaign the way send-batch will: per recipient, plus the shared merge form. */
final class Campaigns {
    static final String SUBJECT = "{{default firstName \"Friend\"}}, news for {{plan}} members";
    static final String PREHEADER = "Hi {{firstName}}, this month";
    static final String HTML = "<html><body><p>Hello {{default firstName \"there\"}},</p>"
            + "<p>{{#if vip}}VIP corner{{else}}Your plan: {{plan}}{{/if}}</p>"
            + "<p><a href=\"{{unsubscribeUrl}}\">Unsubscribe</a></p></body></html>";

    private Campaigns() {}

    static Subscriber subscriber(String email, String firstName, Map<String, Object> attributes) {
        Instant now = Instant.parse("2026-01-05T10:00:00Z");
        return new Subscriber(EmailAddress.parse(email), firstName, null, attributes, new TreeSet<>(List.of("news")),
                0.0, null, "test", now, now, null);
    }

    static String unsubscribeUrl(Subscriber subscriber) {
        return "https://example.org/u/" + subscriber.email().value().replace("@", "-at-");
    }

    static List<OutgoingMessage> render(List<Subscriber> subscribers, String subject, String preheader, String html,
            String text) {
        MessageTemplates templates = MessageTemplates.compile(subject, preheader, html, text, "");
        List<Map<String, Object>> contexts = subscribers.stream()
                .map(s -> PersonalizationContext.of(s, Map.of("unsubscribeUrl", unsubscribeUrl(s)))).toList();
        List<MessageTemplates.Rendered> rendered = templates.renderAll(contexts);
        List<OutgoingMessage> messages = new ArrayList<>();
        for (int i = 0; i < subscribers.size(); i++) {
            Subscriber subscriber = subscribers.get(i);
            MessageContent content = rendered.get(i).content();
            messages.add(OutgoingMessage.builder()
                    .to(subscriber.email(), subscriber.firstName())
                    .from(EmailAddress.parse("news@example.org"), "Dispatch News")
                    .replyTo(EmailAddress.parse("help@example.org"))
                    .subject(content.subject())
                    .preheader(content.preheader())
                    .html(content.html())
                    .text(content.text())
                    .unsubscribeUrl(unsubscribeUrl(subscriber))
                    .correlation("camp-7", subscriber.email().value(), "B", "batch-3")
                    .merge(rendered.get(i).merge())
                    .build());
        }
        return messages;
    }
}
