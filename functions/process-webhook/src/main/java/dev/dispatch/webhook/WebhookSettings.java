package dev.dispatch.webhook;

import dev.dispatch.adapter.webhook.CertificateSource;
import dev.dispatch.adapter.webhook.GenericWebhook;
import dev.dispatch.adapter.webhook.PostmarkWebhook;
import dev.dispatch.adapter.webhook.SendGridWebhook;
import dev.dispatch.adapter.webhook.SesSnsWebhook;
import dev.dispatch.adapter.webhook.SnsCertificateTrust;
import dev.dispatch.domain.engagement.ProviderWebhook;
import dev.dispatch.webhook.WebhookIntake.Provider;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The providers' settings (each null or blank when not set) and the routes they make. A provider whose settings are
 * missing or invalid gets a route that answers 503 naming the setting, rather than failing the whole function: the
 * other providers keep working, and the unconfigured one keeps retrying until it is set.
 */
public record WebhookSettings(String sendGridPublicKey, String sesTopicArns, String postmarkUser,
        String postmarkPassword, String postmarkTokenHeader, String postmarkToken, String genericSecret,
        Duration replayWindow, int maxBodyBytes) {
    private static final Logger LOG = Logger.getLogger(WebhookSettings.class);
    // The Secrets Manager secrets these settings come from (template resources, ARNs in the named variables).
    static final String POSTMARK_SECRET = "PostmarkWebhookSecret (POSTMARK_WEBHOOK_SECRET_ARN)";
    static final String GENERIC_SECRET = "GenericWebhookHmacSecret (GENERIC_WEBHOOK_SECRET_ARN)";

    /** The routes under {@code /webhooks/}, in the order they are listed. */
    public List<Provider> providers(Clock clock, CertificateSource certificates, SnsCertificateTrust snsTrust) {
        List<Provider> providers = new ArrayList<>();
        providers.add(sendGrid(clock));
        providers.add(ses(clock, certificates, snsTrust));
        providers.add(postmark());
        providers.add(generic(clock));
        for (Provider provider : providers) {
            if (provider.webhook() == null) {
                LOG.warnf("webhook %s is not configured (answers 503): %s", provider.route(), provider.unavailable());
            }
        }
        LOG.infof("webhooks ready: %s", providers.stream().filter(p -> p.webhook() != null).map(Provider::route).toList());
        return providers;
    }

    private Provider sendGrid(Clock clock) {
        if (blank(sendGridPublicKey)) {
            return missing("sendgrid", "SENDGRID_WEBHOOK_PUBLIC_KEY (template parameter SendGridWebhookPublicKey)");
        }
        return build("sendgrid", "SENDGRID_WEBHOOK_PUBLIC_KEY",
                () -> new SendGridWebhook(sendGridPublicKey, replayWindow, maxBodyBytes, clock));
    }

    private Provider ses(Clock clock, CertificateSource certificates, SnsCertificateTrust snsTrust) {
        Set<String> topics = new LinkedHashSet<>();
        if (!blank(sesTopicArns)) {
            Arrays.stream(sesTopicArns.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(topics::add);
        }
        if (topics.isEmpty()) {
            return missing("amazon-ses", "SES_WEBHOOK_TOPIC_ARNS (template parameter SesWebhookTopicArns)");
        }
        return build("amazon-ses", "SES_WEBHOOK_TOPIC_ARNS",
                () -> new SesSnsWebhook(topics, certificates, snsTrust, maxBodyBytes, clock));
    }

    private Provider postmark() {
        boolean user = !blank(postmarkUser);
        boolean password = !blank(postmarkPassword);
        boolean token = !blank(postmarkToken);
        if (user != password) {
            // Half a credential pair is a mistake worth saying out loud, even when the token alone would do.
            String absent = user ? POSTMARK_SECRET + " \"password\"" : POSTMARK_SECRET + " \"user\"";
            if (!token) {
                return missing(WebhookIntake.POSTMARK, absent + " (the Basic credentials need both user and password)");
            }
            LOG.warnf("webhook postmark: %s is not set, so Basic credentials are not accepted; the token is", absent);
        }
        if (!(user && password) && !token) {
            return Provider.unavailable(WebhookIntake.POSTMARK, "neither \"user\" with \"password\" nor \"token\" "
                    + "is set in " + POSTMARK_SECRET);
        }
        return build(WebhookIntake.POSTMARK, POSTMARK_SECRET,
                () -> new PostmarkWebhook(user && password ? postmarkUser : null, user && password ? postmarkPassword : null,
                        token ? postmarkTokenHeader : null, token ? postmarkToken : null, maxBodyBytes));
    }

    private Provider generic(Clock clock) {
        if (blank(genericSecret)) {
            return missing("generic", GENERIC_SECRET + " \"secret\"");
        }
        return build("generic", GENERIC_SECRET,
                () -> new GenericWebhook(genericSecret, replayWindow, maxBodyBytes, clock));
    }

    private static Provider missing(String route, String setting) {
        return Provider.unavailable(route, setting + " is not set");
    }

    /** The adapter, or a 503 route when a setting is invalid (its reason logged: the adapters never echo a value). */
    private static Provider build(String route, String setting, Supplier<ProviderWebhook> adapter) {
        try {
            return Provider.ready(route, adapter.get());
        } catch (IllegalArgumentException e) {
            LOG.errorf("webhook %s: %s is not valid: %s", route, setting, e.getMessage());
            return Provider.unavailable(route, setting + " is not valid (see the function log)");
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
