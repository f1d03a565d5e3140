package dev.dispatch.domain.subscriber;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed one-click unsubscribe tokens (RFC 8058 links):
 * {@code keyId "." base64url(campaign \n email) "." base64url(HMAC-SHA256(key, keyId "." payload))}. Without the
 * key nobody can make a token for another address, so links can't be forged or enumerated; the signature is checked
 * in constant time. The key id names the keyring key that signed it, so the signing key can rotate while links
 * already in mailboxes keep working as long as their key stays in the keyring. The key id is signed too: a token
 * moved to another key id does not verify.
 *
 * <p>Tokens issued before key ids existed ({@code base64url(payload) "." base64url(HMAC-SHA256(key, payload))}) are
 * verified with the keyring's {@link UnsubscribeKeyring#LEGACY_KEY_ID} key, while it is there.
 */
public final class UnsubscribeTokens {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final Supplier<UnsubscribeKeyring> keyring;

    /** @param keyring the current keyring, asked at every issue and verify (it may rotate while this lives) */
    public UnsubscribeTokens(Supplier<UnsubscribeKeyring> keyring) {
        this.keyring = Objects.requireNonNull(keyring, "keyring");
    }

    public UnsubscribeTokens(UnsubscribeKeyring keyring) {
        this(() -> keyring);
    }

    public record Claim(String campaignId, EmailAddress email) {}

    public String issue(String campaignId, EmailAddress email) {
        UnsubscribeKeyring ring = keyring.get();
        String payload = ENCODER.encodeToString(
                ((campaignId == null ? "" : campaignId) + "\n" + email.value()).getBytes(StandardCharsets.UTF_8));
        String signed = ring.currentKeyId() + "." + payload;
        return signed + "." + ENCODER.encodeToString(mac(ring.currentKey(), signed.getBytes(StandardCharsets.US_ASCII)));
    }

    /** The claim of a genuine token; empty for anything else (malformed, unknown key id, wrong signature). */
    public Optional<Claim> verify(String token) {
        if (token == null || token.length() > 2048) {
            return Optional.empty();
        }
        String[] parts = token.split("\\.", -1);
        try {
            byte[] payload;
            byte[] expected;
            byte[] signature;
            UnsubscribeKeyring ring = keyring.get();
            if (parts.length == 3) {
                if (!UnsubscribeKeyring.validKeyId(parts[0]) || parts[1].isEmpty()) {
                    return Optional.empty();
                }
                Optional<byte[]> key = ring.key(parts[0]);
                if (key.isEmpty()) {
                    return Optional.empty(); // signed with a key that was removed (or never existed)
                }
                payload = DECODER.decode(parts[1]);
                expected = mac(key.get(), (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
                signature = DECODER.decode(parts[2]);
            } else if (parts.length == 2) {
                Optional<byte[]> key = ring.key(UnsubscribeKeyring.LEGACY_KEY_ID);
                if (key.isEmpty() || parts[0].isEmpty()) {
                    return Optional.empty();
                }
                payload = DECODER.decode(parts[0]);
                expected = mac(key.get(), payload);
                signature = DECODER.decode(parts[1]);
            } else {
                return Optional.empty();
            }
            if (!MessageDigest.isEqual(signature, expected)) {
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

    private static byte[] mac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
