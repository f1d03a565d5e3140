package dev.dispatch.adapter.webhook;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.dispatch.domain.engagement.WebhookRequest;
import dev.dispatch.fuzz.DocumentedErrors;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * The generic format's parser, reached through the public entry point: every body is signed correctly (the target
 * knows the fixture secret), so the fuzzer explores what comes after the HMAC check. Corpus: the body of
 * {@code events/webhook-generic-events.json} and variants, in
 * {@code src/test/resources/dev/dispatch/adapter/webhook/GenericWebhookFuzzTestInputs/signedBody/}.
 */
class GenericWebhookFuzzTest {
    private static final Clock CLOCK = Fixtures.fixtureClock();
    private static final GenericWebhook WEBHOOK = Fixtures.generic(CLOCK);

    @FuzzTest
    @Timeout(60) // per input, and for the whole fuzzing run: keep FUZZ_SECONDS (.ci/run) below it
    void signedBody(byte[] body) {
        String signature = WEBHOOK.sign(CLOCK.instant().getEpochSecond(), body);
        WebhookRequest request = new WebhookRequest(Map.of(GenericWebhook.SIGNATURE_HEADER, signature), body, Map.of(),
                CLOCK.instant());
        DocumentedErrors.only(() -> WEBHOOK.receive(request));
    }
}
