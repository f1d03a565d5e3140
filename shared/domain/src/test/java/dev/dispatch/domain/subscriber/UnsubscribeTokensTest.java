package dev.dispatch.domain.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class UnsubscribeTokensTest {
    private static final String KEY_1 = "first-key-of-at-least-thirty-two-bytes";
    private static final String KEY_2 = "second-key-of-at-least-thirty-two-bytes";
    private static final String OLD_KEY = "the-signing-key-before-key-ids-existed";
    private static final EmailAddress ADA = new EmailAddress("ada@example.com");

    private final AtomicReference<UnsubscribeKeyring> ring = new AtomicReference<>(UnsubscribeKeyring.single("k1", KEY_1));
    private final UnsubscribeTokens tokens = new UnsubscribeTokens(ring::get);

    @Test
    void givenAKeyring_whenATokenIsIssued_thenItCarriesTheCurrentKeyIdAndVerifies() {
        String token = tokens.issue("cmp_1", ADA);
        assertTrue(token.startsWith("k1."), token);
        assertEquals(Optional.of(new UnsubscribeTokens.Claim("cmp_1", ADA)), tokens.verify(token));
        assertEquals(Optional.of(new UnsubscribeTokens.Claim(null, ADA)), tokens.verify(tokens.issue(null, ADA)));
    }

    @Test
    void givenTheKeyRotated_thenOldLinksStillVerifyAndNewOnesCarryTheNewKeyId_untilTheOldKeyIsRemoved() {
        String old = tokens.issue("cmp_1", ADA);
        ring.set(new UnsubscribeKeyring("k2", Map.of("k1", KEY_1, "k2", KEY_2)));
        String fresh = tokens.issue("cmp_2", ADA);
        assertTrue(fresh.startsWith("k2."), fresh);
        assertEquals("cmp_1", tokens.verify(old).orElseThrow().campaignId());
        assertEquals("cmp_2", tokens.verify(fresh).orElseThrow().campaignId());

        ring.set(UnsubscribeKeyring.single("k2", KEY_2));
        assertEquals(Optional.empty(), tokens.verify(old), "a removed key verifies nothing");
        assertTrue(tokens.verify(fresh).isPresent());
    }

    @Test
    void givenAnUnknownKeyIdOrATamperedToken_thenItIsRefused() {
        String token = tokens.issue("cmp_1", ADA);
        String[] parts = token.split("\\.");
        assertEquals(Optional.empty(), tokens.verify("k9." + parts[1] + "." + parts[2]), "unknown key id");
        // the key id is signed: relabelling a genuine signature as another key's fails even with that key present
        ring.set(new UnsubscribeKeyring("k1", Map.of("k1", KEY_1, "k2", KEY_1)));
        assertEquals(Optional.empty(), tokens.verify("k2." + parts[1] + "." + parts[2]), "key id swapped");
        String bob = Base64.getUrlEncoder().withoutPadding().encodeToString("cmp_1\nbob@example.com".getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.empty(), tokens.verify(parts[0] + "." + bob + "." + parts[2]), "payload swapped");
        char last = parts[2].charAt(parts[2].length() - 1);
        String flipped = parts[2].substring(0, parts[2].length() - 1) + (last == 'A' ? 'B' : 'A');
        assertEquals(Optional.empty(), tokens.verify(parts[0] + "." + parts[1] + "." + flipped), "signature changed");
        for (String junk : new String[] {"", ".", "..", "k1..", "k1." + parts[1] + ".", "k 1." + parts[1] + "." + parts[2],
                "a.b.c.d", "not-base64!.x", token + "." + parts[2], "x".repeat(3000)}) {
            assertEquals(Optional.empty(), tokens.verify(junk), junk);
        }
        assertEquals(Optional.empty(), tokens.verify(null));
    }

    @Test
    void givenALinkIssuedBeforeKeyIds_thenItVerifiesWithTheLegacyKey_whileTheKeyringHoldsIt() throws Exception {
        // The format the code before key ids issued: base64url(payload) "." base64url(HMAC-SHA256(key, payload)).
        byte[] payload = "cmp_0\nada@example.com".getBytes(StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(OLD_KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String legacy = b64.encodeToString(payload) + "." + b64.encodeToString(mac.doFinal(payload));

        assertEquals(Optional.empty(), tokens.verify(legacy), "no legacy key in the keyring");
        ring.set(new UnsubscribeKeyring("k1", Map.of("k1", KEY_1, UnsubscribeKeyring.LEGACY_KEY_ID, OLD_KEY)));
        assertEquals(Optional.of(new UnsubscribeTokens.Claim("cmp_0", ADA)), tokens.verify(legacy));
        assertTrue(tokens.issue("cmp_1", ADA).startsWith("k1."), "the legacy key only verifies");
        // a legacy-format token signed with another keyring key is not accepted
        mac.init(new SecretKeySpec(KEY_1.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertEquals(Optional.empty(), tokens.verify(b64.encodeToString(payload) + "." + b64.encodeToString(mac.doFinal(payload))));
    }

    @Test
    void givenABadKeyring_thenItIsRefusedWithoutShowingAKey() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> new UnsubscribeKeyring("k3", Map.of("k1", KEY_1)));
        assertTrue(unknown.getMessage().contains("current key id"));
        IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class,
                () -> new UnsubscribeKeyring("k1", Map.of("k1", "too-short-secret")));
        assertFalse(shortKey.getMessage().contains("too-short-secret"), shortKey.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new UnsubscribeKeyring("a.b", Map.of("a.b", KEY_1)));
        assertThrows(IllegalArgumentException.class, () -> new UnsubscribeKeyring(null, Map.of("k1", KEY_1)));
    }
}
