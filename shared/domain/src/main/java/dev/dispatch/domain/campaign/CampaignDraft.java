package dev.dispatch.domain.campaign;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.message.TemplateRenderer;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.SubscriberRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** What a caller asks for when creating a campaign, validated field by field (templates compiled). */
public record CampaignDraft(
        String name,
        String fromEmail,
        String fromName,
        String replyTo,
        CampaignContent content,
        List<Variant> variants,
        List<String> segments,
        List<String> excludedSegments,
        List<String> providers,
        AbTest.Input abTest,
        SendTime.Input sendTime) {

    public CampaignDraft(String name, String fromEmail, String fromName, String replyTo, CampaignContent content,
            List<Variant> variants, List<String> segments, List<String> excludedSegments, List<String> providers) {
        this(name, fromEmail, fromName, replyTo, content, variants, segments, excludedSegments, providers, null, null);
    }

    public CampaignDraft(String name, String fromEmail, String fromName, String replyTo, CampaignContent content,
            List<Variant> variants, List<String> segments, List<String> excludedSegments, List<String> providers,
            AbTest.Input abTest) {
        this(name, fromEmail, fromName, replyTo, content, variants, segments, excludedSegments, providers, abTest, null);
    }

    public static final Set<String> KNOWN_PROVIDERS = Set.of("ses", "sendgrid", "postmark");
    private static final Pattern VARIANT_ID = Pattern.compile("[A-Za-z0-9_-]{1,16}");

    public Campaign validate(String id, TemplateRenderer templates, Instant now) {
        String validName = required("name", name);
        if (validName.length() > 200) {
            throw new InvalidInputException("name", "is longer than 200 characters");
        }
        String from = EmailAddress.parse(fromEmail, "fromEmail").value();
        String validFromName = SubscriberRules.name("fromName", fromName);
        String validReplyTo = replyTo == null || replyTo.isBlank() ? null : EmailAddress.parse(replyTo, "replyTo").value();
        if (content == null) {
            throw new InvalidInputException("subject", "is required");
        }
        CampaignContent validContent = new CampaignContent(
                template(templates, "subject", required("subject", content.subject())),
                template(templates, "preheader", blankToNull(content.preheader())),
                template(templates, "html", blankToNull(content.html())),
                template(templates, "text", blankToNull(content.text())));
        if (validContent.html() == null && validContent.text() == null) {
            throw new InvalidInputException("html", "an HTML body or a text body is required");
        }
        List<Variant> validVariants = variants(templates);
        List<String> target = segmentList("segments", segments);
        if (target.isEmpty()) {
            throw new InvalidInputException("segments", "at least one target segment is required");
        }
        List<String> excluded = segmentList("excludedSegments", excludedSegments);
        List<String> validProviders = validProviders();
        AbTest validAbTest = abTest == null ? null : abTest.validate(validVariants);
        SendTime validSendTime = sendTime == null ? null : sendTime.validate();
        if (validSendTime != null && validAbTest != null) {
            // Both decide when a recipient is sent: a sample then a wait, or each one's own hour. Not combined (yet).
            throw new InvalidInputException("sendTime", "can't be combined with an abTest");
        }
        return new Campaign(id, validName, from, validFromName, validReplyTo, validContent, validVariants, target,
                excluded, validProviders, CampaignStatus.DRAFT, null, now, now, EnqueueProgress.START, validAbTest,
                validSendTime);
    }

    private List<Variant> variants(TemplateRenderer templates) {
        if (variants == null || variants.isEmpty()) {
            return List.of();
        }
        if (variants.size() < 2) {
            throw new InvalidInputException("variants", "an A/B test needs at least two variants");
        }
        if (variants.size() > AbTest.MAX_VARIANTS) {
            throw new InvalidInputException("variants", variants.size() + " variants; an A/B test has at most "
                    + AbTest.MAX_VARIANTS);
        }
        Set<String> ids = new HashSet<>();
        int total = 0;
        List<Variant> result = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            Variant v = variants.get(i);
            String field = "variants[" + i + "]";
            if (v.id() == null || !VARIANT_ID.matcher(v.id()).matches()) {
                throw new InvalidInputException(field + ".id", "must be 1-16 letters, digits, '_' or '-'");
            }
            if (!ids.add(v.id())) {
                throw new InvalidInputException(field + ".id", "'" + v.id() + "' is used twice");
            }
            if (v.percent() < 1 || v.percent() > 99) {
                throw new InvalidInputException(field + ".percent", "must be between 1 and 99");
            }
            total += v.percent();
            result.add(new Variant(v.id(), v.percent(),
                    template(templates, field + ".subject", blankToNull(v.subject())),
                    template(templates, field + ".html", blankToNull(v.html())),
                    template(templates, field + ".text", blankToNull(v.text()))));
        }
        if (total != 100) {
            throw new InvalidInputException("variants", "percentages add up to " + total + ", not 100");
        }
        return result;
    }

    private List<String> validProviders() {
        if (providers == null || providers.isEmpty()) {
            return List.of(); // not pinned: send-batch chooses per recipient among every provider (delivery-rules.yaml)
        }
        List<String> result = new ArrayList<>();
        for (String p : providers) {
            if (p == null || !KNOWN_PROVIDERS.contains(p)) {
                throw new InvalidInputException("providers", "'" + p + "' is not a provider (known: postmark, sendgrid, ses)");
            }
            if (result.contains(p)) {
                throw new InvalidInputException("providers", "'" + p + "' is listed twice");
            }
            result.add(p);
        }
        return result;
    }

    private static List<String> segmentList(String field, List<String> values) {
        if (values == null) {
            return List.of();
        }
        List<String> result = new ArrayList<>();
        for (String value : values) {
            String segment = SubscriberRules.segment(field, value);
            if (!result.contains(segment)) {
                result.add(segment);
            }
        }
        return result;
    }

    private static String template(TemplateRenderer templates, String field, String source) {
        if (source != null) {
            templates.compile(source, field); // refuses a syntax error with its line and column
        }
        return source;
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(field, "is required");
        }
        return value.strip();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
