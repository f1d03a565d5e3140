package dev.dispatch.adapter.render;

import dev.dispatch.domain.campaign.Campaign;
import dev.dispatch.domain.campaign.CampaignContent;
import dev.dispatch.domain.campaign.CampaignMessages;
import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.Subscriber;
import dev.dispatch.domain.consent.ConfirmationCampaigns;
import dev.dispatch.domain.subscriber.SignedLinks;
import dev.dispatch.domain.subscriber.UnsubscribeTokens;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Campaign content to messages: each variant's templates compiled once per container, every recipient rendered
 * with its personalization and its signed one-click unsubscribe URL, and the merge form SendGrid batches with.
 */
public class CampaignRenderer implements CampaignMessages {
    private final UnsubscribeTokens tokens;
    private final SignedLinks links;
    private final String unsubscribeBase;
    private final String publicBase;
    private final Map<String, MessageTemplates> compiled = new ConcurrentHashMap<>();

    /** @param publicApiUrl the API's public base URL; links are {@code <publicApiUrl>/u/<token>} */
    public CampaignRenderer(UnsubscribeTokens tokens, String publicApiUrl) {
        this.tokens = tokens;
        this.links = new SignedLinks(tokens);
        this.publicBase = publicApiUrl.replaceAll("/+$", "");
        this.unsubscribeBase = publicBase + "/u/";
    }

    /** The recipient's preference center ({@code /p/<token>}): the same signed-token rules as unsubscribe links. */
    public String preferencesUrl(String campaignId, EmailAddress email) {
        return publicBase + "/p/" + links.preferences(campaignId, email);
    }

    /** A double opt-in confirmation link ({@code /c/<token>}) for the segment. */
    public String confirmUrl(String segment, EmailAddress email) {
        return publicBase + "/c/" + links.confirmation(segment, email);
    }

    public String unsubscribeUrl(String campaignId, EmailAddress email) {
        return unsubscribeBase + tokens.issue(campaignId, email);
    }

    @Override
    public List<OutgoingMessage> render(Campaign campaign, List<Addressee> addressees, int batch) {
        Map<String, List<Integer>> byVariant = new LinkedHashMap<>();
        for (int i = 0; i < addressees.size(); i++) {
            byVariant.computeIfAbsent(String.valueOf(addressees.get(i).variant()), v -> new ArrayList<>()).add(i);
        }
        OutgoingMessage[] messages = new OutgoingMessage[addressees.size()];
        byVariant.forEach((variantKey, positions) -> {
            String variant = positions.isEmpty() ? null : addressees.get(positions.get(0)).variant();
            MessageTemplates templates = compiled.computeIfAbsent(campaign.id() + "\n" + variantKey, k -> compile(campaign, variant));
            List<Map<String, Object>> contexts = new ArrayList<>();
            List<String> urls = new ArrayList<>();
            for (int position : positions) {
                Subscriber subscriber = addressees.get(position).subscriber();
                String url = unsubscribeUrl(campaign.id(), subscriber.email());
                urls.add(url);
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("unsubscribeUrl", url);
                extra.put("preferencesUrl", preferencesUrl(campaign.id(), subscriber.email()));
                extra.put("campaignName", campaign.name());
                if (ConfirmationCampaigns.is(campaign.id()) && !campaign.segments().isEmpty()) {
                    extra.put("segment", campaign.segments().get(0));
                    extra.put("confirmUrl", confirmUrl(campaign.segments().get(0), subscriber.email()));
                }
                contexts.add(PersonalizationContext.of(subscriber, extra));
            }
            List<MessageTemplates.Rendered> rendered = templates.renderAll(contexts);
            for (int i = 0; i < positions.size(); i++) {
                Subscriber subscriber = addressees.get(positions.get(i)).subscriber();
                var content = rendered.get(i).content();
                messages[positions.get(i)] = OutgoingMessage.builder()
                        .to(subscriber.email(), displayName(subscriber))
                        .from(new EmailAddress(campaign.fromEmail()), campaign.fromName())
                        .replyTo(campaign.replyTo() == null ? null : new EmailAddress(campaign.replyTo()))
                        .subject(content.subject())
                        .preheader(content.preheader())
                        .html(content.html())
                        .text(content.text())
                        .unsubscribeUrl(urls.get(i))
                        .correlation(campaign.id(), recipientKey(subscriber.email()), variant == null ? "none" : variant,
                                campaign.id() + "-" + batch)
                        .merge(rendered.get(i).merge())
                        .build();
            }
        });
        return List.of(messages);
    }

    /** A stable pseudonymous key for the recipient (webhooks carry the address itself; headers need not). */
    public static String recipientKey(EmailAddress email) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(email.value().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageTemplates compile(Campaign campaign, String variant) {
        CampaignContent content = campaign.contentFor(variant);
        String html = content.html();
        String text = content.text();
        if (!ConfirmationCampaigns.is(campaign.id())) {
            // Every campaign carries the preference center link: where the template does not place it, a footer does.
            html = withPreferencesFooter(html);
            text = text == null || text.contains("preferencesUrl") ? text
                    : text.stripTrailing() + "\n\nManage your subscriptions: {{preferencesUrl}}\n";
        }
        return MessageTemplates.compile(content.subject(), content.preheader(), html, text,
                variant == null ? "" : "variants[" + variant + "].");
    }

    static final String PREFERENCES_FOOTER = "<p style=\"font-size:12px;color:#666\"><a href=\"{{preferencesUrl}}\">"
            + "Manage your subscriptions</a></p>";

    static String withPreferencesFooter(String html) {
        if (html == null || html.contains("preferencesUrl")) {
            return html;
        }
        int body = html.toLowerCase(java.util.Locale.ROOT).lastIndexOf("</body>");
        return body < 0 ? html + PREFERENCES_FOOTER : html.substring(0, body) + PREFERENCES_FOOTER + html.substring(body);
    }

    private static String displayName(Subscriber subscriber) {
        String name = ((subscriber.firstName() == null ? "" : subscriber.firstName()) + " "
                + (subscriber.lastName() == null ? "" : subscriber.lastName())).strip();
        return name.isEmpty() ? null : name;
    }
}
