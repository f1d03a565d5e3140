package dev.dispatch.domain.subscriber;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.dispatch.domain.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Timeout;

/**
 * Unsubscribe tokens arrive in a URL path ({@code /u/{token}}) from anyone. Two properties over any input:
 * <ul>
 *   <li>{@link UnsubscribeTokens#verify} answers a claim or nothing, never an exception (a bad link gets the
 *       "link not valid" page, not an error), and never a claim for a token it did not issue;</li>
 *   <li>read as {@code campaign \n address}, a token the platform issues for it verifies back to the same claim.</li>
 * </ul>
 * Corpus: tokens and campaign/address pairs, in
 * {@code src/test/resources/dev/dispatch/domain/subscriber/UnsubscribeTokensFuzzTestInputs/token/}.
 */
class UnsubscribeTokensFuzzTest {
    private static final UnsubscribeTokens TOKENS = new UnsubscribeTokens(
            UnsubscribeKeyring.single("k1", "fuzz-unsubscribe-key-0123456789abcdef0123"));
    private static final UnsubscribeTokens OTHER_KEY = new UnsubscribeTokens(
            UnsubscribeKeyring.single("k1", "another-unsubscribe-key-0123456789abcdef")); // same key id, other key

    @FuzzTest
    @Timeout(60) // per input, and for the whole fuzzing run: keep FUZZ_SECONDS (.ci/run) below it
    void token(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        TOKENS.verify(text);

        int newline = text.indexOf('\n');
        String campaign = newline < 0 ? null : text.substring(0, newline);
        EmailAddress email;
        try {
            email = EmailAddress.parse(newline < 0 ? text : text.substring(newline + 1));
        } catch (InvalidInputException e) {
            return;
        }
        String campaignId = campaign == null || campaign.isEmpty() ? null : campaign;
        Optional<UnsubscribeTokens.Claim> claim = TOKENS.verify(TOKENS.issue(campaignId, email));
        if (!claim.equals(Optional.of(new UnsubscribeTokens.Claim(campaignId, email)))) {
            throw new AssertionError("an issued token did not verify to its own claim: " + claim);
        }
        if (TOKENS.verify(OTHER_KEY.issue(campaignId, email)).isPresent()) {
            throw new AssertionError("a token signed with another key was accepted");
        }
    }
}
