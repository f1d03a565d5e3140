package dev.dispatch.adapter.render;

import java.util.Locale;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;

/**
 * The text alternative of an HTML body (jsoup): paragraphs, headings, list items, table rows and line breaks
 * become line breaks; links become "text (url)"; images become their alt text; scripts, styles and elements
 * hidden with {@code display:none} are dropped. Lines are not wrapped.
 */
public final class HtmlText {
    private static final Set<String> BLOCKS = Set.of("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
            "table", "tr", "blockquote", "section", "article", "header", "footer", "main", "nav", "aside", "pre",
            "address", "center", "dl", "dt", "dd", "form", "fieldset", "figure", "figcaption", "hr", "body", "tbody",
            "thead", "tfoot");
    private static final Set<String> PARAGRAPHS = Set.of("p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
            "table", "blockquote", "pre", "hr");
    private static final Set<String> SKIPPED = Set.of("head", "script", "style", "title", "template", "noscript");

    private HtmlText() {}

    public static String fromHtml(String html) {
        if (html == null) {
            return null;
        }
        Document document = Jsoup.parse(html);
        Writer out = new Writer();
        for (Node child : document.childNodes()) {
            walk(child, out, false);
        }
        return out.result();
    }

    private static void walk(Node node, Writer out, boolean preformatted) {
        if (node instanceof TextNode text) {
            if (preformatted) {
                out.raw(text.getWholeText());
            } else {
                out.words(text.getWholeText());
            }
            return;
        }
        if (!(node instanceof Element element)) {
            return;
        }
        String tag = element.normalName();
        if (SKIPPED.contains(tag) || hidden(element)) {
            return;
        }
        switch (tag) {
            case "br" -> {
                out.lineBreak();
                return;
            }
            case "img" -> {
                String alt = element.attr("alt").strip();
                if (!alt.isEmpty()) {
                    out.words(alt);
                }
                return;
            }
            case "li" -> {
                out.newLine();
                out.raw("- ");
            }
            case "td", "th" -> out.cellGap();
            default -> {
                if (PARAGRAPHS.contains(tag)) {
                    out.paragraph();
                } else if (BLOCKS.contains(tag)) {
                    out.newLine();
                }
            }
        }
        boolean pre = preformatted || tag.equals("pre");
        for (Node child : element.childNodes()) {
            walk(child, out, pre);
        }
        if (tag.equals("a")) {
            String href = element.attr("href").strip();
            String label = element.text().strip();
            if (!href.isEmpty() && !href.startsWith("#") && !href.regionMatches(true, 0, "javascript:", 0, 11)
                    && !href.equals(label)) {
                String shown = href.regionMatches(true, 0, "mailto:", 0, 7) ? href.substring(7) : href;
                if (label.isEmpty()) {
                    out.words(shown);
                } else if (!shown.equals(label)) {
                    out.raw(" (" + shown + ")");
                }
            }
        } else if (PARAGRAPHS.contains(tag)) {
            out.paragraph();
        } else if (BLOCKS.contains(tag) || tag.equals("li")) {
            out.newLine();
        }
    }

    private static boolean hidden(Element element) {
        String style = element.attr("style").toLowerCase(Locale.ROOT).replace(" ", "");
        return style.contains("display:none") || element.hasAttr("hidden");
    }

    /** Collapses whitespace inside lines; keeps at most one blank line between blocks. */
    private static final class Writer {
        private final StringBuilder text = new StringBuilder();
        private boolean pendingSpace;

        void words(String raw) {
            String[] parts = raw.split("[\\s\\u00a0]+", -1);
            boolean leading = !raw.isEmpty() && isSpace(raw.charAt(0));
            boolean trailing = !raw.isEmpty() && isSpace(raw.charAt(raw.length() - 1));
            if (leading) {
                pendingSpace = true;
            }
            boolean first = true;
            for (String part : parts) {
                if (part.isEmpty()) {
                    continue;
                }
                if (!first) {
                    pendingSpace = true;
                }
                append(part);
                first = false;
            }
            if (trailing) {
                pendingSpace = true;
            }
        }

        void raw(String value) {
            append(value);
        }

        private void append(String value) {
            if (pendingSpace && text.length() > 0 && !endsWithBreak()
                    && !isSpace(text.charAt(text.length() - 1))) {
                text.append(' ');
            }
            pendingSpace = false;
            text.append(value);
        }

        void lineBreak() {
            text.append('\n');
            pendingSpace = false;
        }

        void newLine() {
            if (text.length() > 0 && !endsWithBreak()) {
                text.append('\n');
            }
            pendingSpace = false;
        }

        void paragraph() {
            newLine();
            if (text.length() > 0 && !(text.length() >= 2 && text.charAt(text.length() - 2) == '\n')) {
                text.append('\n');
            }
        }

        void cellGap() {
            if (text.length() > 0 && !endsWithBreak()) {
                pendingSpace = true;
            }
        }

        private boolean endsWithBreak() {
            return text.length() > 0 && text.charAt(text.length() - 1) == '\n';
        }

        private static boolean isSpace(char c) {
            return Character.isWhitespace(c) || c == '\u00a0';
        }

        String result() {
            String[] lines = text.toString().split("\n", -1);
            StringBuilder out = new StringBuilder();
            int blank = 0;
            for (String line : lines) {
                String trimmed = line.stripTrailing();
                if (trimmed.isBlank()) {
                    blank++;
                    continue;
                }
                if (out.length() > 0) {
                    out.append(blank > 0 ? "\n\n" : "\n");
                }
                blank = 0;
                out.append(trimmed);
            }
            return out.toString();
        }
    }
}
