package dev.dispatch.adapter.content;

import dev.dispatch.adapter.render.HandlebarsTemplates;
import dev.dispatch.adapter.render.HtmlText;
import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.content.ContentChecker;
import dev.dispatch.domain.content.ContentFinding;
import dev.dispatch.domain.content.ContentImprovement;
import dev.dispatch.domain.content.ContentReport;
import dev.dispatch.domain.content.MessageDraft;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * The content check's rules, each with its points on SpamAssassin's scale (5 = spam for a default filter), the
 * evidence that made it fire and the fix. Rules read the message as a recipient gets it: the templates rendered
 * (jsoup parses the HTML) for a sample recipient who has an address and nothing else, so a personalization field
 * with no fallback shows as what it is for such a recipient: nothing. Only the merge-field rule reads the templates
 * themselves.
 *
 * <p>The points follow the SpamAssassin rules that look for the same signal where one exists (MIME_HTML_ONLY,
 * HTML_IMAGE_ONLY_*, SUBJ_ALL_CAPS, HTML_MIME_NO_HTML_TAG...), and the clipping, unsubscribe and From rules follow
 * Gmail's and Yahoo's published bulk-sender requirements; the README reports how the score's ordering compares
 * with SpamAssassin's on the project's corpus.
 */
public final class ContentRules implements ContentChecker {

    public static final String TEXT_PART = "text-part";
    public static final String REMOVE_DISALLOWED = "remove-disallowed";
    public static final String MERGE_FALLBACKS = "merge-fallbacks";
    public static final String UNSUBSCRIBE_LINK = "unsubscribe-link";
    private static final List<String> IMPROVEMENTS = List.of(REMOVE_DISALLOWED, MERGE_FALLBACKS, UNSUBSCRIBE_LINK, TEXT_PART);

    /** What the sample recipient's unsubscribe link renders as: a link to it is the unsubscribe link. */
    static final String SAMPLE_UNSUBSCRIBE_URL = "https://unsubscribe.invalid/u/sample";
    private static final Map<String, Object> SAMPLE_RECIPIENT = Map.of(
            "email", "sample.recipient@example.com",
            "unsubscribeUrl", SAMPLE_UNSUBSCRIBE_URL,
            "preferencesUrl", "https://unsubscribe.invalid/p/sample",
            "campaignName", "Sample campaign",
            "segments", List.of(),
            "attributes", Map.of());
    /** Names every recipient has: they need no fallback. */
    private static final Set<String> ALWAYS_PRESENT = Set.of("email", "unsubscribeUrl", "preferencesUrl", "campaignName", "segments",
            "attributes", "this", "else");

    /** Gmail clips a message's HTML above about 102 KB and hides the rest, unsubscribe link included. */
    static final int GMAIL_CLIP_BYTES = 102 * 1024;

    private static final Set<String> DISALLOWED = Set.of("script", "form", "iframe", "object", "embed", "applet",
            "frame", "frameset");
    private static final Set<String> SHORTENERS = Set.of("bit.ly", "tinyurl.com", "goo.gl", "t.co", "ow.ly", "is.gd",
            "buff.ly", "rebrand.ly", "cutt.ly", "shorturl.at", "tiny.cc", "rb.gy", "t.ly", "bl.ink", "s.id", "v.gd",
            "x.co", "lnkd.in", "soo.gd", "shorte.st", "adf.ly");
    /** Mailbox providers whose DMARC policy makes bulk mail "from" them fail when sent through anyone else. */
    private static final Set<String> FREEMAIL = Set.of("gmail.com", "googlemail.com", "yahoo.com", "ymail.com",
            "aol.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "icloud.com", "me.com", "mac.com",
            "gmx.com", "gmx.de", "web.de", "mail.com", "yandex.ru", "protonmail.com", "proton.me", "zoho.com");
    /** Phrases the common filters' body and subject rules score (SpamAssassin's, and the usual lists senders share). */
    private static final List<String> SPAM_PHRASES = List.of("act now", "100% free", "buy now", "order now",
            "click here", "limited time", "risk-free", "risk free", "winner", "you have been selected", "congratulations",
            "cash bonus", "earn money", "make money", "extra income", "work from home", "no credit check",
            "guaranteed", "urgent", "once in a lifetime", "lowest price", "double your", "free gift", "free money",
            "100% satisfied", "no strings attached", "apply now", "call now", "dear friend", "miracle", "viagra",
            "weight loss", "lose weight", "million dollars", "no catch", "this is not spam", "unsecured debt",
            "pre-approved", "special promotion", "while supplies last");
    private static final Map<String, String> FALLBACKS = Map.of("firstName", "there", "name", "there",
            "lastName", "", "company", "your team", "city", "your area", "country", "your country");

    private static final Pattern MUSTACHE = Pattern.compile("\\{\\{(\\{?)\\s*([^{}\\s]+)\\s*\\}?\\}\\}");
    private static final Pattern IF_BLOCK = Pattern.compile("\\{\\{\\s*#(?:if|with|unless)\\s+([^{}\\s]+)\\s*\\}\\}");
    private static final Pattern LOOKS_LIKE_URL = Pattern.compile(
            "^(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,})(?:[:/?#]\\S*)?$", Pattern.CASE_INSENSITIVE);
    private static final Pattern IPV4 = Pattern.compile("^\\d{1,3}(?:\\.\\d{1,3}){3}$");
    private static final Pattern HIDING_STYLE = Pattern.compile(
            "display\\s*:\\s*none|visibility\\s*:\\s*hidden|font-size\\s*:\\s*[01](?:\\.0+)?(?:px|pt|em|rem)?\\s*(?:;|$|!)"
                    + "|opacity\\s*:\\s*0(?:\\.0+)?\\s*(?:;|$|!)|max-height\\s*:\\s*0(?:px)?\\s*(?:;|$|!)",
            Pattern.CASE_INSENSITIVE);
    /** The one short hidden block at the top that sets the inbox preview line: a convention, not a trick. */
    private static final int PREHEADER_CHARS = 200;

    private final HandlebarsTemplates html = HandlebarsTemplates.html();
    private final HandlebarsTemplates text = HandlebarsTemplates.text();

    @Override
    public ContentReport check(MessageDraft draft, double threshold) {
        Rendered r = render(draft);
        List<ContentFinding> findings = new ArrayList<>();
        subject(r.subject, findings);
        spamPhrases(r, findings);
        from(draft.fromEmail(), findings);
        if (r.html != null) {
            Document doc = Jsoup.parse(r.html);
            textPart(draft, findings);
            disallowed(doc, findings);
            images(doc, findings);
            links(doc, findings);
            hiddenText(doc, findings);
            size(r.html, findings);
            unsubscribe(doc, r.text, findings);
        } else {
            unsubscribe(null, r.text, findings);
        }
        mergeFields(draft, findings);
        double score = Math.round(findings.stream().mapToDouble(ContentFinding::points).sum() * 10) / 10.0;
        return new ContentReport(score, threshold, findings, improvements(draft, findings));
    }

    @Override
    public MessageDraft improve(MessageDraft draft, Set<String> ids) {
        for (String id : ids) {
            if (!IMPROVEMENTS.contains(id)) {
                throw new InvalidInputException("apply", "unknown improvement \"" + id + "\"; one of " + IMPROVEMENTS);
            }
        }
        MessageDraft result = draft;
        for (String id : IMPROVEMENTS) { // a fixed order: the text part last, derived from the improved HTML
            if (ids.contains(id)) {
                result = apply(id, result);
            }
        }
        return result;
    }

    // ---- rules

    private static void subject(String subject, List<ContentFinding> findings) {
        if (subject == null || subject.isBlank()) {
            findings.add(new ContentFinding("SUBJECT_MISSING", 1.8, "subject", "(empty)",
                    "Write a subject that says what the message is about.", null));
            return;
        }
        long letters = subject.codePoints().filter(Character::isLetter).count();
        long upper = subject.codePoints().filter(Character::isUpperCase).count();
        if (letters >= 10 && upper * 2 >= letters) {
            findings.add(new ContentFinding("SUBJECT_SHOUTING", 1.5, "subject", subject,
                    "Write the subject in sentence case; capitals read as shouting and filters score them.", null));
        }
        long bangs = subject.chars().filter(c -> c == '!').count();
        if (bangs >= 2) {
            findings.add(new ContentFinding("SUBJECT_EXCLAMATION", bangs >= 3 ? 1.5 : 1.0, "subject", subject,
                    "Use one exclamation mark at most.", null));
        }
    }

    private static void spamPhrases(Rendered r, List<ContentFinding> findings) {
        double inSubject = 0;
        for (String phrase : phrasesIn(r.subject)) {
            double points = Math.min(1.0, 2.0 - inSubject);
            if (points <= 0) {
                break;
            }
            inSubject += points;
            findings.add(new ContentFinding("SPAM_PHRASE_SUBJECT", points, "subject", phrase,
                    "Say what the message offers in your own words instead of \"" + phrase + "\".", null));
        }
        String body = r.html != null ? HtmlText.fromHtml(r.html) : r.text;
        String part = r.html != null ? "html" : "text";
        double inBody = 0;
        for (String phrase : phrasesIn(body)) {
            double points = Math.min(0.5, 2.0 - inBody);
            if (points <= 0) {
                break;
            }
            inBody += points;
            findings.add(new ContentFinding("SPAM_PHRASE_BODY", points, part, phrase,
                    "Rephrase \"" + phrase + "\": it is on the phrase lists filters score.", null));
        }
    }

    private static List<String> phrasesIn(String s) {
        if (s == null) {
            return List.of();
        }
        String lower = " " + s.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ") + " ";
        List<String> found = new ArrayList<>();
        for (String phrase : SPAM_PHRASES) {
            if (Pattern.compile("(?<![\\p{L}\\p{N}])" + Pattern.quote(phrase) + "(?![\\p{L}\\p{N}])").matcher(lower).find()) {
                found.add(phrase);
            }
        }
        return found;
    }

    private static void from(String fromEmail, List<ContentFinding> findings) {
        if (fromEmail == null) {
            return;
        }
        int at = fromEmail.lastIndexOf('@');
        String domain = fromEmail.substring(at + 1).strip().toLowerCase(Locale.ROOT);
        if (FREEMAIL.contains(domain)) {
            findings.add(new ContentFinding("FROM_FREEMAIL", 2.0, "from", fromEmail,
                    "Send from your own domain: " + domain + " publishes a DMARC policy that fails bulk mail sent "
                            + "through anyone else, and Gmail and Yahoo require From alignment for bulk senders.", null));
        }
    }

    private static void textPart(MessageDraft draft, List<ContentFinding> findings) {
        if (draft.text() == null || draft.text().isBlank()) {
            findings.add(new ContentFinding("NO_TEXT_PART", 0.3, "text", "(none)",
                    "Write a plain-text part, or review the one derived from the HTML (improvement \"" + TEXT_PART
                            + "\"); without one, the text part is derived at send time.", TEXT_PART));
        }
    }

    private static void disallowed(Document doc, List<ContentFinding> findings) {
        Set<String> seen = new LinkedHashSet<>();
        for (Element e : doc.getAllElements()) {
            if (DISALLOWED.contains(e.normalName()) && seen.add(e.normalName())) {
                findings.add(new ContentFinding("DISALLOWED_ELEMENT", 2.0, "html", snippet(e),
                        "Remove <" + e.normalName() + ">: mail clients strip or block it and filters score it; "
                                + "link to a web page instead.", REMOVE_DISALLOWED));
            }
        }
    }

    private static void images(Document doc, List<ContentFinding> findings) {
        int images = 0;
        double altPoints = 0;
        for (Element img : doc.select("img")) {
            if (trackingPixel(img)) {
                continue;
            }
            images++;
            if (!img.hasAttr("alt") && altPoints < 1.0) {
                altPoints += 0.3;
                findings.add(new ContentFinding("IMAGE_NO_ALT", 0.3, "html", snippet(img),
                        "Give the image an alt text (alt=\"\" for a decorative one): many clients block images "
                                + "by default and show the alt text instead.", null));
            }
        }
        if (images == 0) {
            return;
        }
        int textChars = visibleText(doc).length();
        if (textChars < 200) {
            findings.add(new ContentFinding("HTML_IMAGE_ONLY", 2.0, "html", images + " image(s), " + textChars
                    + " characters of text", "Put the message in text, not in images: with images blocked the "
                    + "recipient sees nothing, and filters score image-only mail.", null));
        } else if (textChars / images < 300) {
            findings.add(new ContentFinding("LOW_TEXT_TO_IMAGE", 1.0, "html", images + " image(s), " + textChars
                    + " characters of text", "Add text or remove images: aim for at least 300 characters of text "
                    + "per image.", null));
        }
    }

    private static boolean trackingPixel(Element img) {
        return small(img.attr("width")) && small(img.attr("height"));
    }

    private static boolean small(String dimension) {
        String d = dimension.strip().replace("px", "");
        return d.equals("0") || d.equals("1") || d.equals("2");
    }

    private static void links(Document doc, List<ContentFinding> findings) {
        double mismatch = 0;
        double shorteners = 0;
        double ips = 0;
        for (Element a : doc.select("a[href]")) {
            String href = a.attr("href").strip();
            String host = host(href);
            if (host == null) {
                continue;
            }
            Matcher shown = LOOKS_LIKE_URL.matcher(a.text().strip());
            if (shown.matches() && mismatch < 4.0 && !sameSite(shown.group(1).toLowerCase(Locale.ROOT), host)) {
                mismatch += 2.0;
                findings.add(new ContentFinding("LINK_TEXT_MISMATCH", 2.0, "html", snippet(a), "The link shows "
                        + shown.group(1) + " but goes to " + host + ": that is what phishing looks like. Show the "
                        + "real destination, or use words as the link text.", null));
            }
            if (SHORTENERS.contains(host) && shorteners < 3.0) {
                shorteners += 1.5;
                findings.add(new ContentFinding("URL_SHORTENER", 1.5, "html", href, "Link to the full address on "
                        + "your own domain: shorteners hide the destination and are on filters' block lists.", null));
            }
            if ((IPV4.matcher(host).matches() || host.startsWith("[")) && ips < 4.0) {
                ips += 2.0;
                findings.add(new ContentFinding("RAW_IP_LINK", 2.0, "html", href,
                        "Link to a domain name, not an IP address.", null));
            }
        }
    }

    /** The host of an http(s) link, lower case; null for other links (mailto:, tel:, anchors) or unreadable ones. */
    private static String host(String href) {
        try {
            URI uri = URI.create(href.replace(" ", "%20"));
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
                return null;
            }
            String host = uri.getHost();
            if (host == null && uri.getRawAuthority() != null) {
                host = uri.getRawAuthority().replaceAll("^.*@", "").replaceAll(":\\d+$", "");
            }
            return host == null ? null : host.toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** One host is the other or under it (www.shop.com and click.shop.com are both shop.com's). */
    private static boolean sameSite(String shown, String actual) {
        String a = shown.startsWith("www.") ? shown.substring(4) : shown;
        String b = actual.startsWith("www.") ? actual.substring(4) : actual;
        return a.equals(b) || a.endsWith("." + b) || b.endsWith("." + a);
    }

    private static void hiddenText(Document doc, List<ContentFinding> findings) {
        boolean preheaderSeen = false;
        int hiddenChars = 0;
        Element first = null;
        for (Element e : doc.body().select("[style]")) {
            if (!HIDING_STYLE.matcher(e.attr("style")).find() || hasHiddenAncestor(e)) {
                continue;
            }
            String hidden = e.text().strip();
            if (hidden.isEmpty()) {
                continue;
            }
            if (!preheaderSeen && hidden.length() <= PREHEADER_CHARS && e.select("a").isEmpty()) {
                preheaderSeen = true; // the preview line
                continue;
            }
            hiddenChars += hidden.length();
            if (first == null) {
                first = e;
            }
        }
        if (first != null) {
            findings.add(new ContentFinding("HIDDEN_TEXT", 1.5, "html", hiddenChars + " hidden characters, e.g. "
                    + snippet(first), "Remove text the reader can't see: filters read it as an attempt to fool them.",
                    null));
        }
    }

    private static boolean hasHiddenAncestor(Element e) {
        for (Element p = e.parent(); p != null; p = p.parent()) {
            if (p.hasAttr("style") && HIDING_STYLE.matcher(p.attr("style")).find()) {
                return true;
            }
        }
        return false;
    }

    private static void size(String html, List<ContentFinding> findings) {
        int bytes = html.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > GMAIL_CLIP_BYTES) {
            findings.add(new ContentFinding("HTML_CLIPPED", 1.5, "html", (bytes / 1024) + " KB of HTML",
                    "Keep the HTML under 102 KB: Gmail clips the rest, unsubscribe link and all. Inline less CSS, "
                            + "drop comments and unused markup.", null));
        }
    }

    private static void unsubscribe(Document doc, String text, List<ContentFinding> findings) {
        if (doc != null) {
            for (Element a : doc.select("a[href]")) {
                String href = a.attr("href");
                String words = a.text().toLowerCase(Locale.ROOT);
                if (href.startsWith(SAMPLE_UNSUBSCRIBE_URL) || href.toLowerCase(Locale.ROOT).contains("unsubscribe")
                        || words.contains("unsubscribe") || words.contains("opt out") || words.contains("opt-out")) {
                    return;
                }
            }
        } else if (text != null && text.contains(SAMPLE_UNSUBSCRIBE_URL)) {
            return;
        }
        findings.add(new ContentFinding("NO_UNSUBSCRIBE_LINK", 2.0, doc != null ? "html" : "text", "(none)",
                "Add a visible unsubscribe link ({{unsubscribeUrl}}): the law (CAN-SPAM, PECR) and Gmail's and "
                        + "Yahoo's bulk-sender rules ask for one beside the one-click header.", UNSUBSCRIBE_LINK));
    }

    private static void mergeFields(MessageDraft draft, List<ContentFinding> findings) {
        Map<String, String> missing = new LinkedHashMap<>();
        for (String[] part : new String[][] {{"subject", draft.subject()}, {"html", draft.html()}, {"text", draft.text()}}) {
            for (String field : unguardedFields(part[1])) {
                missing.putIfAbsent(field, part[0]);
            }
        }
        double points = 0;
        for (Map.Entry<String, String> e : missing.entrySet()) {
            if (points >= 1.5) {
                break;
            }
            points += 0.5;
            String fallback = FALLBACKS.get(e.getKey());
            findings.add(new ContentFinding("MERGE_FIELD_NO_FALLBACK", 0.5, e.getValue(), "{{" + e.getKey() + "}}",
                    "Give the field a fallback, e.g. {{default " + e.getKey() + " \"" + (fallback == null ? "..." : fallback)
                            + "\"}}, or guard it with {{#if " + e.getKey() + "}}: recipients without it see a gap.",
                    fallback == null ? null : MERGE_FALLBACKS));
        }
    }

    /** Plain {{name}} references to fields a recipient may not have, outside an {{#if name}} guard. */
    private static Set<String> unguardedFields(String template) {
        Set<String> fields = new LinkedHashSet<>();
        if (template == null) {
            return fields;
        }
        Set<String> guarded = new LinkedHashSet<>();
        Matcher guards = IF_BLOCK.matcher(template);
        while (guards.find()) {
            guarded.add(guards.group(1));
        }
        Matcher m = MUSTACHE.matcher(template);
        while (m.find()) {
            String name = m.group(2);
            char c = name.charAt(0);
            if (c == '#' || c == '/' || c == '^' || c == '!' || c == '@' || c == '>' || c == '&' || c == '.'
                    || name.startsWith("this")) {
                continue;
            }
            String root = name.split("[./]", 2)[0];
            if (!ALWAYS_PRESENT.contains(root) && !guarded.contains(name) && !guarded.contains(root)) {
                fields.add(name);
            }
        }
        return fields;
    }

    // ---- improvements

    private List<ContentImprovement> improvements(MessageDraft draft, List<ContentFinding> findings) {
        Set<String> offered = new LinkedHashSet<>();
        findings.stream().map(ContentFinding::improvement).filter(id -> id != null).forEach(offered::add);
        List<ContentImprovement> result = new ArrayList<>();
        for (String id : IMPROVEMENTS) {
            if (!offered.contains(id)) {
                continue;
            }
            MessageDraft after = apply(id, draft);
            String description = switch (id) {
                case TEXT_PART -> "a plain-text part written from the HTML";
                case REMOVE_DISALLOWED -> "<script>, <form>, <iframe>, <object> and <embed> removed";
                case MERGE_FALLBACKS -> "fallbacks added to personalization fields";
                case UNSUBSCRIBE_LINK -> "an unsubscribe link added at the end";
                default -> throw new IllegalStateException(id);
            };
            addChanged(result, id, description, "subject", draft.subject(), after.subject());
            addChanged(result, id, description, "html", draft.html(), after.html());
            addChanged(result, id, description, "text", draft.text(), after.text());
        }
        return result;
    }

    private static void addChanged(List<ContentImprovement> result, String id, String description, String part,
            String before, String after) {
        if (!java.util.Objects.equals(before, after)) {
            result.add(new ContentImprovement(id, description, part, before, after));
        }
    }

    private static MessageDraft apply(String id, MessageDraft d) {
        return switch (id) {
            case TEXT_PART -> d.html() == null || (d.text() != null && !d.text().isBlank()) ? d
                    : new MessageDraft(d.fromEmail(), d.subject(), d.html(), HtmlText.fromHtml(d.html()));
            case REMOVE_DISALLOWED -> d.html() == null ? d
                    : new MessageDraft(d.fromEmail(), d.subject(), withoutDisallowed(d.html()), d.text());
            case MERGE_FALLBACKS -> new MessageDraft(d.fromEmail(), withFallbacks(d.subject()), withFallbacks(d.html()),
                    withFallbacks(d.text()));
            case UNSUBSCRIBE_LINK -> withUnsubscribeLink(d);
            default -> throw new IllegalStateException(id);
        };
    }

    private static String withoutDisallowed(String html) {
        boolean wholeDocument = html.toLowerCase(Locale.ROOT).contains("<html") || html.toLowerCase(Locale.ROOT).contains("<body");
        Document doc = wholeDocument ? Jsoup.parse(html) : Jsoup.parseBodyFragment(html);
        doc.outputSettings().prettyPrint(false);
        doc.select(String.join(",", DISALLOWED)).remove();
        return wholeDocument ? doc.outerHtml() : doc.body().html();
    }

    private static String withFallbacks(String template) {
        if (template == null) {
            return null;
        }
        Set<String> unguarded = unguardedFields(template);
        StringBuilder out = new StringBuilder();
        Matcher m = MUSTACHE.matcher(template);
        while (m.find()) {
            String name = m.group(2);
            String fallback = FALLBACKS.get(name);
            String replacement = m.group();
            if (fallback != null && unguarded.contains(name) && m.group(1).isEmpty()) {
                replacement = "{{default " + name + " \"" + fallback + "\"}}";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static MessageDraft withUnsubscribeLink(MessageDraft d) {
        String html = d.html();
        if (html != null) {
            String footer = "<p style=\"font-size:12px;color:#666666\">Don't want these emails? "
                    + "<a href=\"{{unsubscribeUrl}}\">Unsubscribe</a></p>";
            int body = html.toLowerCase(Locale.ROOT).lastIndexOf("</body>");
            html = body >= 0 ? html.substring(0, body) + footer + html.substring(body) : html + footer;
        }
        String text = d.text();
        if (text != null && !text.isBlank() && !text.contains("{{unsubscribeUrl}}")) {
            text = text.stripTrailing() + "\n\nUnsubscribe: {{unsubscribeUrl}}\n";
        }
        return new MessageDraft(d.fromEmail(), d.subject(), html, text);
    }

    // ---- rendering

    private record Rendered(String subject, String html, String text) {}

    private Rendered render(MessageDraft d) {
        String subject = d.subject() == null ? null : text.compile(d.subject(), "subject").render(SAMPLE_RECIPIENT);
        String renderedHtml = d.html() == null || d.html().isBlank() ? null : html.compile(d.html(), "html").render(SAMPLE_RECIPIENT);
        String renderedText = d.text() == null ? null : text.compile(d.text(), "text").render(SAMPLE_RECIPIENT);
        return new Rendered(subject, renderedHtml, renderedText);
    }

    private static String visibleText(Document doc) {
        Document copy = doc.clone();
        for (Element e : copy.body().select("[style]")) {
            if (HIDING_STYLE.matcher(e.attr("style")).find()) {
                e.remove();
            }
        }
        copy.select("script,style,head,title").remove();
        return copy.body().text().strip();
    }

    private static String snippet(Element e) {
        String html = e.outerHtml().replaceAll("\\s+", " ");
        return html.length() <= 160 ? html : html.substring(0, 157) + "...";
    }
}
