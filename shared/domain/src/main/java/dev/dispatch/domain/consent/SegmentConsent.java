package dev.dispatch.domain.consent;

import dev.dispatch.domain.ConflictException;
import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.campaign.Campaign;
import dev.dispatch.domain.campaign.CampaignContent;
import dev.dispatch.domain.campaign.CampaignDraft;
import dev.dispatch.domain.campaign.CampaignStatus;
import dev.dispatch.domain.campaign.CampaignStore;
import dev.dispatch.domain.campaign.SenderAllowlist;
import dev.dispatch.domain.message.TemplateRenderer;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.SubscriberRules;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code PUT /segments/{segment}}: a segment's consent settings. Each change is a new version; with double opt-in
 * the confirmation mail's content becomes a campaign record of its own ({@link ConfirmationCampaigns#id}), stored
 * as {@code sent} (enqueue-campaign never walks it; send-batch sends its one-recipient batches) before the settings
 * that point at it, so settings never name a missing campaign. Requests already pending keep the campaign they
 * were made with.
 */
public class SegmentConsent {
    public static final int MAX_CONSENT_TEXT = 2000;
    public static final String DEFAULT_SUBJECT = "Please confirm your subscription";
    public static final String DEFAULT_HTML = "<p>Please confirm that you want to receive <strong>{{segment}}</strong>"
            + " emails.</p><p><a href=\"{{confirmUrl}}\">Confirm my subscription</a></p>"
            + "<p>If you did not ask for this, ignore this email: you will not be added.</p>";
    public static final String DEFAULT_TEXT = "Please confirm that you want to receive {{segment}} emails:\n"
            + "{{confirmUrl}}\n\nIf you did not ask for this, ignore this email: you will not be added.\n";

    private final SegmentSettingsStore settings;
    private final CampaignStore campaigns;
    private final TemplateRenderer templates;
    private final SenderAllowlist senders;
    private final Clock clock;

    /** The body of PUT /segments/{segment}, raw. */
    public record Input(Boolean doubleOptIn, String fromEmail, String fromName, String replyTo, String subject,
            String html, String text, String consentText, String consentVersion) {}

    /** The settings with the confirmation mail's content (null without double opt-in). */
    public record View(SegmentSettings settings, Campaign confirmation) {}

    public SegmentConsent(SegmentSettingsStore settings, CampaignStore campaigns, TemplateRenderer templates,
            SenderAllowlist senders, Clock clock) {
        this.settings = settings;
        this.campaigns = campaigns;
        this.templates = templates;
        this.senders = senders;
        this.clock = clock;
    }

    public View get(String segment) {
        String name = SubscriberRules.segment("segment", segment);
        SegmentSettings s = settings.find(name).orElse(SegmentSettings.defaults(name));
        Campaign confirmation = s.confirmationCampaign() == null ? null : campaigns.find(s.confirmationCampaign()).orElse(null);
        return new View(s, confirmation);
    }

    public View configure(String segment, Input input, String actor) {
        String name = SubscriberRules.segment("segment", segment);
        if (input == null || input.doubleOptIn() == null) {
            throw new InvalidInputException("doubleOptIn", "is required (true or false)");
        }
        String consentText = text("consentText", input.consentText(), MAX_CONSENT_TEXT);
        String consentVersion = text("consentVersion", input.consentVersion(), 64);
        Instant now = clock.instant();
        Optional<SegmentSettings> current = settings.find(name);
        int version = current.map(SegmentSettings::version).orElse(0) + 1;
        Campaign confirmation = null;
        if (input.doubleOptIn()) {
            if (input.fromEmail() == null || input.fromEmail().isBlank()) {
                throw new InvalidInputException("fromEmail", "is required with doubleOptIn: the confirmation mail's sender");
            }
            String html = input.html() == null && input.text() == null ? DEFAULT_HTML : input.html();
            String text = input.html() == null && input.text() == null ? DEFAULT_TEXT : input.text();
            if (html != null && !html.contains("confirmUrl")) {
                throw new InvalidInputException("html", "must contain the confirmation link {{confirmUrl}}");
            }
            if (text != null && !text.contains("confirmUrl")) {
                throw new InvalidInputException("text", "must contain the confirmation link {{confirmUrl}}");
            }
            CampaignDraft draft = new CampaignDraft("Confirmation: " + name, input.fromEmail(), input.fromName(),
                    input.replyTo(), new CampaignContent(input.subject() == null ? DEFAULT_SUBJECT : input.subject(),
                    null, html, text), List.of(), List.of(name), List.of(), List.of());
            String id = ConfirmationCampaigns.id(name, version);
            Campaign valid = draft.validate(id, templates, now);
            senders.check(new EmailAddress(valid.fromEmail()), "fromEmail");
            confirmation = valid.with(CampaignStatus.SENT, null, now);
            if (!campaigns.create(confirmation)) {
                // A PUT that died after this write and before its settings: the campaign of this version is there.
                confirmation = campaigns.find(id).orElseThrow();
            }
        }
        SegmentSettings next = new SegmentSettings(name, input.doubleOptIn(), version,
                confirmation == null ? null : confirmation.id(), consentText, consentVersion, now, actor);
        if (!settings.put(next)) {
            throw new ConflictException("the segment's settings were changed concurrently; retry");
        }
        return new View(next, confirmation);
    }

    private static String text(String field, String value, int max) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        if (v.length() > max) {
            throw new InvalidInputException(field, "is longer than " + max + " characters");
        }
        return v;
    }
}
