package dev.dispatch.domain.subscriber;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed one-click unsubscribe tokens (RFC 8058 links): {@code base64url(campaign \n email) "." base64url(HMAC-SHA256)}.
 * Without the key nobody can make a token for another address, so links can't be forged or enumerated; the
 * signature is checked in constant time.
 */
public final class UnsubscribeTokens {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final int MIN_KEY_BYTES = 32;

    private final byte[] key;

    public UnsubscribeTokens(String signingKey) {
        if (signingKey == null || signingKey.getBytes(StandardCharsets.UTF_8).length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the unsubscribe signing key must have at least " + MIN_KEY_BYTES + " bytes");
        }
        this.key = signingKey.getBytes(StandardCharsets.UTF_8);
    }

    public record Claim(String campaignId, EmailAddress email) {}

    public String issue(String campaignId, EmailAddress email) {
        byte[] payload = ((campaignId == null ? "" : campaignId) + "\n" + email.value()).getBytes(StandardCharsets.UTF_8);
        return ENCODER.encodeToString(payload) + "." + ENCODER.encodeToString(mac(payload));
    }

    /** The claim of a genuine token; empty for anything else (malformed, wrong signature). */
    public Optional<Claim> verify(String token) {
        if (token == null || token.length() > 2048) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            return Optional.empty();
        }
        try {
            byte[] payload = DECODER.decode(token.substring(0, dot));
            byte[] signature = DECODER.decode(token.substring(dot + 1));
            if (!MessageDigest.isEqual(signature, mac(payload))) {
                return Optional.empty();
            }
            String text = new String(payload, StandardCharsets.UTF_8);
            int newline = text.indexOf('\n');
            if (newline < 0) {
                return Optional.empty();
            }
            String campaign = text.substring(0, newline);
            return Optional.of(new Claim(campaign.isEmpty() ? null : campaign, new EmailAddress(text.substring(newline + 1))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
