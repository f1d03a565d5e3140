package dev.dispatch.adapter.render;

import dev.dispatch.domain.message.OutgoingMessage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two bodies every provider sends, built the same way for all of them: the HTML with the preheader as its
 * hidden first element, and the text given or derived from the HTML.
 */
public final class MessageBodies {
    private static final Pattern BODY_OPEN = Pattern.compile("<body\\b[^>]*>", Pattern.CASE_INSENSITIVE);

    private MessageBodies() {}

    /** The HTML to send, or null for a text-only message. */
    public static String html(OutgoingMessage message) {
        return html(message.html(), message.preheader());
    }

    /** The text to send: the text body, or the one derived from the HTML. */
    public static String text(OutgoingMessage message) {
        return text(message.text(), message.html());
    }

    /**
     * The preheader goes right after {@code <body>} (or first, without a body tag) as an element mail clients
     * show in the inbox preview but not in the message. The rest of the HTML is left byte for byte.
     */
    public static String html(String html, String preheader) {
        if (html == null) {
            return null;
        }
        if (preheader == null || preheader.isBlank()) {
            return html;
        }
        String hidden = "<div style=\"display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;"
                + "overflow:hidden;mso-hide:all;\" aria-hidden=\"true\">" + escape(preheader) + "</div>";
        Matcher body = BODY_OPEN.matcher(html);
        if (body.find()) {
            return html.substring(0, body.end()) + hidden + html.substring(body.end());
        }
        return hidden + html;
    }

    public static String text(String text, String html) {
        return text != null ? text : HtmlText.fromHtml(html);
    }

    /** The escaping of HTML templates, so an escaped preheader equals the same text printed by a template. */
    static String escape(String value) {
        return HandlebarsTemplates.HTML_ESCAPING.escape(value).toString();
    }
}
