package dev.dispatch.adapter.render;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.dispatch.fuzz.DocumentedErrors;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * A campaign's templates are user input: any text is compiled as subject, HTML and text body
 * ({@link MessageTemplates#compile}, the text and HTML flavours of {@link HandlebarsTemplates}) and refused only with
 * {@code InvalidInputException} naming the field (with line and column); a template that compiles then renders for
 * ordinary recipients, one by one and merged ({@link MessageTemplates#renderAll}), failing only the same way.
 * Corpus: templates from the README and the render tests, in
 * {@code src/test/resources/dev/dispatch/adapter/render/MessageTemplatesFuzzTestInputs/template/}.
 */
class MessageTemplatesFuzzTest {
    private static final List<Map<String, Object>> RECIPIENTS = List.of(
            recipient("ada@example.com", "Ada", Map.of("plan", "pro", "seats", new BigDecimal("3.0"), "trial", false)),
            recipient("bob@example.com", null, Map.of("plan", "<b>free</b>", "tags", List.of("a", "b"))));

    @FuzzTest
    @Timeout(60) // per input, and for the whole fuzzing run: keep FUZZ_SECONDS (.ci/run) below it
    void template(byte[] input) {
        String source = new String(input, StandardCharsets.UTF_8);
        DocumentedErrors.only(() -> {
            MessageTemplates templates = MessageTemplates.compile(source, source, source, source, "variants[0].");
            for (Map<String, Object> recipient : RECIPIENTS) {
                templates.render(recipient);
            }
            templates.renderAll(RECIPIENTS);
        });
    }

    private static Map<String, Object> recipient(String email, String firstName, Map<String, Object> attributes) {
        Map<String, Object> context = new LinkedHashMap<>(attributes);
        context.put("email", email);
        context.put("firstName", firstName);
        context.put("unsubscribeUrl", "https://api.example.com/u/token-for-" + email);
        return context;
    }
}
