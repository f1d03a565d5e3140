package dev.dispatch.adapter.webhook;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.dispatch.domain.engagement.WebhookRequest;
import dev.dispatch.fuzz.DocumentedErrors;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * Postmark's parser behind its Basic credentials: every body carries the right ones, so the fuzzer explores the
 * record types. Corpus: the bodies of {@code events/webhook-postmark-*.json}, in
 * {@code src/test/resources/dev/dispatch/adapter/webhook/PostmarkWebhookFuzzTestInputs/authenticatedBody/}.
 */
class PostmarkWebhookFuzzTest {
    private static final PostmarkWebhook WEBHOOK = Fixtures.postmark();
    private static final String AUTHORIZATION = "Basic " + Base64.getEncoder().encodeToString(
            (FixtureWriter.POSTMARK_USER + ":" + FixtureWriter.POSTMARK_PASSWORD).getBytes(StandardCharsets.UTF_8));

    @FuzzTest
    @Timeout(60) // per input, and for the whole fuzzing run: keep FUZZ_SECONDS (.ci/run) below it
    void authenticatedBody(byte[] body) {
        WebhookRequest request = new WebhookRequest(Map.of("Authorization", AUTHORIZATION), body, Map.of(),
                Instant.now());
        DocumentedErrors.only(() -> WEBHOOK.receive(request));
    }
}
