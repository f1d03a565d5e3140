package dev.dispatch.adapter.webhook;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.dispatch.domain.engagement.WebhookRequest;
import dev.dispatch.fuzz.DocumentedErrors;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * SendGrid's parser behind its ECDSA signature: every body is signed with the test-only key whose public half the
 * webhook trusts, so the fuzzer explores the event array. Corpus: the bodies of
 * {@code events/webhook-sendgrid-*.json}, in
 * {@code src/test/resources/dev/dispatch/adapter/webhook/SendGridWebhookFuzzTestInputs/signedBody/}.
 */
class SendGridWebhookFuzzTest {
    private static final Clock CLOCK = Fixtures.fixtureClock();
    private static final SendGridWebhook WEBHOOK = Fixtures.sendGrid(CLOCK);
    private static final PrivateKey KEY = key();

    @FuzzTest
    @Timeout(60) // per input, and for the whole fuzzing run: keep FUZZ_SECONDS (.ci/run) below it
    void signedBody(byte[] body) throws Exception {
        String timestamp = Long.toString(CLOCK.instant().getEpochSecond());
        Signature ecdsa = Signature.getInstance("SHA256withECDSA");
        ecdsa.initSign(KEY);
        ecdsa.update(timestamp.getBytes(StandardCharsets.UTF_8));
        ecdsa.update(body);
        WebhookRequest request = new WebhookRequest(Map.of(
                SendGridWebhook.SIGNATURE_HEADER, Base64.getEncoder().encodeToString(ecdsa.sign()),
                SendGridWebhook.TIMESTAMP_HEADER, timestamp), body, Map.of(), CLOCK.instant());
        DocumentedErrors.only(() -> WEBHOOK.receive(request));
    }

    private static PrivateKey key() {
        try {
            return Fixtures.privateKey("sendgrid-test-signing-key.pem", "EC");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
