package dev.dispatch.domain.message;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.subscriber.EmailAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One fully rendered message for one recipient, ready for any {@link EmailProvider}.
 *
 * <p>Header safety is decided here, once for every provider: display texts that come out of templates (subject,
 * names, preheader) have line breaks and other control characters replaced by a space, so a subscriber attribute
 * can never add a header; machine values (the unsubscribe URL, correlation keys and values) are refused if they
 * hold any. Correlation data goes out as {@code X-Dispatch-*} headers and as each provider's custom data, so
 * their keys and values are kept within the strictest provider's limits (Postmark metadata: at most 10 fields,
 * names up to 20 characters, values up to 80).
 *
 * @param to recipient address
 * @param toName recipient display name, or null
 * @param from sender address
 * @param fromName sender display name, or null
 * @param replyTo reply-to address, or null
 * @param subject the rendered subject (required)
 * @param preheader the rendered preheader (inbox preview text), or null
 * @param html the rendered HTML body, or null
 * @param text the rendered text body, or null (at least one of html and text)
 * @param unsubscribeUrl the recipient's RFC 8058 one-click unsubscribe URL (HTTPS)
 * @param correlation at least {@link #CAMPAIGN_ID}, {@link #RECIPIENT}, {@link #VARIANT} and {@link #BATCH_ID}
 * @param merge the same content as one shared tagged form plus this recipient's substitutions, which lets a
 *     provider with substitution tags (SendGrid) put many recipients in one request; null if there is none
 */
public record OutgoingMessage(
        EmailAddress to,
        String toName,
        EmailAddress from,
        String fromName,
        EmailAddress replyTo,
        String subject,
        String preheader,
        String html,
        String text,
        String unsubscribeUrl,
        Map<String, String> correlation,
        MergeForm merge) {

    public static final String CAMPAIGN_ID = "campaignId";
    public static final String RECIPIENT = "recipient";
    public static final String VARIANT = "variant";
    public static final String BATCH_ID = "batchId";

    public static final int MAX_CORRELATION_ENTRIES = 10;
    public static final int MAX_CORRELATION_KEY_LENGTH = 20;
    public static final int MAX_CORRELATION_VALUE_LENGTH = 80;

    private static final Pattern CORRELATION_KEY = Pattern.compile("[A-Za-z][A-Za-z0-9]*");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\u2028\\u2029]+");

    public OutgoingMessage {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(from, "from");
        toName = displayText(toName);
        fromName = displayText(fromName);
        subject = displayText(subject);
        preheader = displayText(preheader);
        if (subject == null) {
            throw new InvalidInputException("subject", "is required");
        }
        if (html == null && text == null) {
            throw new InvalidInputException("html", "an HTML or a text body is required");
        }
        requireOneClickUrl(unsubscribeUrl);
        correlation = checkedCorrelation(correlation);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The correlation value for a key, or null. */
    public String correlationValue(String key) {
        return correlation.get(key);
    }

    public String campaignId() {
        return correlation.get(CAMPAIGN_ID);
    }

    public String variant() {
        return correlation.get(VARIANT);
    }

    public OutgoingMessage withMerge(MergeForm newMerge) {
        return new OutgoingMessage(to, toName, from, fromName, replyTo, subject, preheader, html, text, unsubscribeUrl,
                correlation, newMerge);
    }

    /** Null and blank stay null; control characters (CR, LF, TAB, ...) become one space; the ends are trimmed. */
    static String displayText(String value) {
        if (value == null) {
            return null;
        }
        String single = CONTROL.matcher(value).replaceAll(" ").strip();
        return single.isEmpty() ? null : single;
    }

    static boolean hasControl(String value) {
        return CONTROL.matcher(value).find();
    }

    private static void requireOneClickUrl(String url) {
        if (url == null || url.isBlank()) {
            throw new InvalidInputException("unsubscribeUrl", "is required");
        }
        if (hasControl(url) || url.indexOf('<') >= 0 || url.indexOf('>') >= 0 || url.indexOf(' ') >= 0
                || !url.chars().allMatch(c -> c < 127)) {
            throw new InvalidInputException("unsubscribeUrl",
                    "must be ASCII (percent-encoded) without spaces, line breaks or angle brackets");
        }
        try {
            URI uri = new URI(url);
            // RFC 8058 wants HTTPS; plain HTTP is allowed only on the loopback host, for the local stack.
            boolean loopbackHttp = "http".equalsIgnoreCase(uri.getScheme())
                    && ("127.0.0.1".equals(uri.getHost()) || "localhost".equalsIgnoreCase(uri.getHost()));
            if (!("https".equalsIgnoreCase(uri.getScheme()) || loopbackHttp) || uri.getHost() == null) {
                throw new InvalidInputException("unsubscribeUrl", "must be an absolute https URL");
            }
        } catch (URISyntaxException e) {
            throw new InvalidInputException("unsubscribeUrl", "is not a valid URL");
        }
    }

    private static Map<String, String> checkedCorrelation(Map<String, String> given) {
        if (given == null) {
            throw new InvalidInputException("correlation", "is required");
        }
        for (String required : new String[] {CAMPAIGN_ID, RECIPIENT, VARIANT, BATCH_ID}) {
            String value = given.get(required);
            if (value == null || value.isBlank()) {
                throw new InvalidInputException("correlation." + required, "is required");
            }
        }
        if (given.size() > MAX_CORRELATION_ENTRIES) {
            throw new InvalidInputException("correlation", "has more than " + MAX_CORRELATION_ENTRIES + " entries");
        }
        Set<String> lowerKeys = new HashSet<>();
        Map<String, String> copy = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : given.entrySet()) {
            String key = entry.getKey();
            if (key == null || key.length() > MAX_CORRELATION_KEY_LENGTH || !CORRELATION_KEY.matcher(key).matches()) {
                throw new InvalidInputException("correlation", "keys are letters and digits, starting with a letter, "
                        + "at most " + MAX_CORRELATION_KEY_LENGTH + " characters");
            }
            if (!lowerKeys.add(key.toLowerCase(Locale.ROOT))) {
                throw new InvalidInputException("correlation." + key, "repeats a key with another case");
            }
            String value = entry.getValue();
            if (value == null || value.isBlank()) {
                throw new InvalidInputException("correlation." + key, "is required");
            }
            if (hasControl(value) || value.length() > MAX_CORRELATION_VALUE_LENGTH) {
                throw new InvalidInputException("correlation." + key,
                        "must be one line of at most " + MAX_CORRELATION_VALUE_LENGTH + " characters");
            }
            copy.put(key, value);
        }
        return Collections.unmodifiableMap(copy);
    }

    /** Named setters for the twelve components. */
    public static final class Builder {
        private EmailAddress to;
        private String toName;
        private EmailAddress from;
        private String fromName;
        private EmailAddress replyTo;
        private String subject;
        private String preheader;
        private String html;
        private String text;
        private String unsubscribeUrl;
        private final Map<String, String> correlation = new LinkedHashMap<>();
        private MergeForm merge;

        private Builder() {}

        public Builder to(EmailAddress address, String name) {
            this.to = address;
            this.toName = name;
            return this;
        }

        public Builder from(EmailAddress address, String name) {
            this.from = address;
            this.fromName = name;
            return this;
        }

        public Builder replyTo(EmailAddress address) {
            this.replyTo = address;
            return this;
        }

        public Builder subject(String value) {
            this.subject = value;
            return this;
        }

        public Builder preheader(String value) {
            this.preheader = value;
            return this;
        }

        public Builder html(String value) {
            this.html = value;
            return this;
        }

        public Builder text(String value) {
            this.text = value;
            return this;
        }

        public Builder unsubscribeUrl(String value) {
            this.unsubscribeUrl = value;
            return this;
        }

        /** Sets the four required correlation entries. */
        public Builder correlation(String campaignId, String recipient, String variant, String batchId) {
            correlation.put(CAMPAIGN_ID, campaignId);
            correlation.put(RECIPIENT, recipient);
            correlation.put(VARIANT, variant);
            correlation.put(BATCH_ID, batchId);
            return this;
        }

        public Builder correlation(String key, String value) {
            correlation.put(key, value);
            return this;
        }

        public Builder merge(MergeForm value) {
            this.merge = value;
            return this;
        }

        public OutgoingMessage build() {
            return new OutgoingMessage(to, toName, from, fromName, replyTo, subject, preheader, html, text,
                    unsubscribeUrl, correlation, merge);
        }
    }
}
