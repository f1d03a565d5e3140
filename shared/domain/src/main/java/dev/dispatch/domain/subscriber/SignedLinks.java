package dev.dispatch.domain.subscriber;

import java.util.Optional;

/**
 * The signed per-recipient links besides one-click unsubscribe: the double opt-in confirmation link and the
 * preference center link. Same tokens, same keyring, same rules ({@link UnsubscribeTokens}: HMAC-SHA256 under a
 * keyring key, key id signed, constant-time check), with the purpose signed into the payload's first field
 * ({@code confirm:<segment>}, {@code prefs:<campaign>}). Campaign ids never contain ':', so a link of one purpose
 * never passes as another: an unsubscribe token is no confirmation, a confirmation token unsubscribes nobody.
 */
public final class SignedLinks {
    static final String CONFIRM = "confirm:";
    static final String PREFERENCES = "prefs:";

    private final UnsubscribeTokens tokens;

    public SignedLinks(UnsubscribeTokens tokens) {
        this.tokens = tokens;
    }

    public record Confirmation(String segment, EmailAddress email) {}

    public String confirmation(String segment, EmailAddress email) {
        return tokens.issue(CONFIRM + segment, email);
    }

    public Optional<Confirmation> verifyConfirmation(String token) {
        return tokens.verify(token)
                .filter(c -> c.campaignId() != null && c.campaignId().startsWith(CONFIRM)
                        && c.campaignId().length() > CONFIRM.length())
                .map(c -> new Confirmation(c.campaignId().substring(CONFIRM.length()), c.email()));
    }

    /** @param campaignId the campaign the link was sent with (null: none) */
    public String preferences(String campaignId, EmailAddress email) {
        return tokens.issue(PREFERENCES + (campaignId == null ? "" : campaignId), email);
    }

    public Optional<EmailAddress> verifyPreferences(String token) {
        return tokens.verify(token)
                .filter(c -> c.campaignId() != null && c.campaignId().startsWith(PREFERENCES))
                .map(UnsubscribeTokens.Claim::email);
    }

    /** Whether a verified claim is a one-click unsubscribe link's (and not a link of another purpose). */
    public static boolean isUnsubscribe(UnsubscribeTokens.Claim claim) {
        return claim.campaignId() == null || claim.campaignId().indexOf(':') < 0;
    }
}
