package dev.dispatch.domain.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class SignedLinksTest {
    private static final EmailAddress ADA = new EmailAddress("ada@example.com");
    private final UnsubscribeTokens tokens = new UnsubscribeTokens(UnsubscribeKeyring.single("k1",
            "first-key-of-at-least-thirty-two-bytes"));
    private final SignedLinks links = new SignedLinks(tokens);

    @Test
    void givenEachPurpose_thenItsLinkVerifiesOnlyForThatPurpose() {
        String confirm = links.confirmation("news", ADA);
        String prefs = links.preferences("cmp_1", ADA);
        String unsubscribe = tokens.issue("cmp_1", ADA);
        assertEquals(Optional.of(new SignedLinks.Confirmation("news", ADA)), links.verifyConfirmation(confirm));
        assertEquals(Optional.of(ADA), links.verifyPreferences(prefs));
        assertEquals(Optional.empty(), links.verifyConfirmation(prefs));
        assertEquals(Optional.empty(), links.verifyConfirmation(unsubscribe));
        assertEquals(Optional.empty(), links.verifyPreferences(confirm));
        assertEquals(Optional.empty(), links.verifyPreferences(unsubscribe));
        assertFalse(SignedLinks.isUnsubscribe(tokens.verify(confirm).orElseThrow()));
        assertFalse(SignedLinks.isUnsubscribe(tokens.verify(prefs).orElseThrow()));
        assertTrue(SignedLinks.isUnsubscribe(tokens.verify(unsubscribe).orElseThrow()));
        assertTrue(SignedLinks.isUnsubscribe(tokens.verify(tokens.issue(null, ADA)).orElseThrow()));
    }

    @Test
    void givenATamperedLink_thenItVerifiesForNothing() {
        String confirm = links.confirmation("news", ADA);
        String[] parts = confirm.split("\\.");
        String otherSegment = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("confirm:vip\nada@example.com".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(Optional.empty(), links.verifyConfirmation(parts[0] + "." + otherSegment + "." + parts[2]));
        assertEquals(Optional.empty(), links.verifyConfirmation(confirm + "x"));
        assertEquals(Optional.empty(), links.verifyPreferences("nonsense"));
        assertEquals(Optional.empty(), links.verifyConfirmation(tokens.issue("confirm:", ADA)), "no segment");
    }
}
