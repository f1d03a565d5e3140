package dev.dispatch.adapter.webhook;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatch.domain.engagement.WebhookRequest;
import dev.dispatch.fuzz.DocumentedErrors;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * SES events through SNS, in two ways decided by the input itself:
 * <ul>
 *   <li>an input that starts with {@code {"Type"} is a whole SNS envelope, posted as it is (unsigned or wrongly
 *       signed: the envelope checks and the verifier's refusals are what is explored);</li>
 *   <li>anything else is the SES JSON of a Notification's {@code Message}: the target wraps it in an envelope for
 *       the fixtures' topic and signs it with the test-only SNS key the fixtures' certificate belongs to, so the
 *       fuzzer reaches the SES parser behind a valid signature.</li>
 * </ul>
 * The webhook is built exactly as {@code SesSnsWebhookTest} builds it ({@link Fixtures#ses}). Corpus: the messages
 * and envelopes of {@code events/webhook-ses-*.json}, in
 * {@code src/test/resources/dev/dispatch/adapter/webhook/SesSnsWebhookFuzzTestInputs/notification/}.
 */
class SesSnsWebhookFuzzTest {
    private static final Clock CLOCK = Fixtures.fixtureClock();
    private static final SesSnsWebhook WEBHOOK = Fixtures.ses(new Fixtures.TestCertificates(), CLOCK);
    private static final String TIMESTAMP = CLOCK.instant().toString();
    private static final String MESSAGE_ID = "0b7d0d4e-1c0a-5b8e-9a53-00000000f022";
    private static final PrivateKey KEY = key();

    @FuzzTest
    @Timeout(60) // per input, and for the whole fuzzing run: keep FUZZ_SECONDS (.ci/run) below it
    void notification(byte[] input) throws Exception {
        byte[] body = startsWithType(input) ? input : signedEnvelope(new String(input, StandardCharsets.UTF_8));
        WebhookRequest request = new WebhookRequest(Map.of(), body, Map.of(), CLOCK.instant());
        try {
            DocumentedErrors.only(() -> WEBHOOK.receive(request));
        } catch (UncheckedIOException e) {
            // Documented too: a certificate that can't be fetched is a temporary failure (5xx, SNS retries). Here
            // it means an envelope named a well-formed SNS certificate URL other than the fixtures' one.
        }
    }

    private static boolean startsWithType(byte[] input) {
        byte[] marker = "{\"Type\"".getBytes(StandardCharsets.US_ASCII);
        if (input.length < marker.length) {
            return false;
        }
        for (int i = 0; i < marker.length; i++) {
            if (input[i] != marker[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] signedEnvelope(String message) throws Exception {
        String canonical = "Message\n" + message + "\nMessageId\n" + MESSAGE_ID + "\nTimestamp\n" + TIMESTAMP
                + "\nTopicArn\n" + FixtureWriter.TOPIC_ARN + "\nType\nNotification\n";
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(KEY);
        rsa.update(canonical.getBytes(StandardCharsets.UTF_8));
        ObjectNode envelope = Fixtures.object()
                .put("Type", "Notification")
                .put("MessageId", MESSAGE_ID)
                .put("TopicArn", FixtureWriter.TOPIC_ARN)
                .put("Message", message)
                .put("Timestamp", TIMESTAMP)
                .put("SignatureVersion", "2")
                .put("Signature", Base64.getEncoder().encodeToString(rsa.sign()))
                .put("SigningCertURL", FixtureWriter.CERT_URL);
        return Fixtures.JSON.writeValueAsBytes(envelope);
    }

    private static PrivateKey key() {
        try {
            return Fixtures.privateKey("sns-test-signing-key.pem", "RSA");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
