package dev.dispatch.adapter.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.message.CompiledTemplate;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.Subscriber;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class HandlebarsTemplatesTest {
    private static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");

    private static Subscriber subscriber(String email, String firstName, Map<String, Object> attributes) {
        return new Subscriber(EmailAddress.parse(email), firstName, "Lovelace", attributes,
                new TreeSet<>(List.of("newsletter", "vip")), 0.0, "Europe/London", "api", NOW, NOW, null);
    }

    private static Map<String, Object> context(Subscriber subscriber) {
        return PersonalizationContext.of(subscriber, Map.of("unsubscribeUrl", "https://example.org/u/t0k3n"));
    }

    @Test
    void givenSubscriberFieldsAttributesAndExtras_whenRendered_thenEachIsPersonalized() {
        CompiledTemplate template = HandlebarsTemplates.text().compile(
                "Hi {{firstName}} {{lastName}} <{{email}}> plan={{plan}}/{{attributes.plan}} tz={{timeZone}} "
                        + "seats={{seats}} segs={{#each segments}}{{this}},{{/each}} unsub={{unsubscribeUrl}}", "text");

        String text = template.render(context(subscriber("ada@example.com", "Ada",
                Map.of("plan", "pro", "seats", new BigDecimal("10.0")))));

        assertEquals("Hi Ada Lovelace <ada@example.com> plan=pro/pro tz=Europe/London seats=10 "
                + "segs=newsletter,vip, unsub=https://example.org/u/t0k3n", text);
    }

    @Test
    void givenDefaultHelper_whenValueMissingNullOrBlank_thenFallbackElseValue() {
        CompiledTemplate template = HandlebarsTemplates.text().compile("Hello {{default firstName \"there\"}}!", "subject");

        assertEquals("Hello Ada!", template.render(context(subscriber("ada@example.com", "Ada", Map.of()))));
        assertEquals("Hello there!", template.render(context(subscriber("bob@example.com", null, Map.of()))));
        assertEquals("Hello there!", template.render(context(subscriber("bob@example.com", "   ", Map.of()))));
        assertEquals("Hello there!", template.render(Map.of()));
    }

    @Test
    void givenDefaultHelperOnAttribute_whenAttributeAbsent_thenFallbackRendered() {
        CompiledTemplate template = HandlebarsTemplates.html().compile("<p>{{default attributes.city \"your city\"}}</p>", "html");

        assertEquals("<p>your city</p>", template.render(context(subscriber("ada@example.com", "Ada", Map.of()))));
        assertEquals("<p>Paris</p>", template.render(context(subscriber("ada@example.com", "Ada", Map.of("city", "Paris")))));
    }

    @Test
    void givenMissingVariables_whenRendered_thenEmptyNeverNull() {
        CompiledTemplate template = HandlebarsTemplates.html().compile(
                "[{{firstName}}][{{nickname}}][{{attributes.nothing}}][{{a.b.c}}][{{{raw}}}]", "html");

        String html = template.render(context(subscriber("ada@example.com", null, Map.of())));

        assertEquals("[][][][][]", html);
        assertFalse(html.contains("null"));
    }

    @Test
    void givenConditionals_whenRendered_thenBranchFollowsTheSubscriber() {
        CompiledTemplate template = HandlebarsTemplates.text().compile(
                "{{#if plan}}Your {{plan}} plan{{else}}Try pro{{/if}}{{#unless vip}} (not vip){{/unless}}", "text");

        assertEquals("Your pro plan (not vip)", template.render(context(subscriber("a@example.com", "A", Map.of("plan", "pro")))));
        assertEquals("Try pro", template.render(context(subscriber("b@example.com", "B", Map.of("vip", true)))));
    }

    @Test
    void givenHtmlTemplate_whenValueHasMarkup_thenEscapedButTextTemplateLeavesIt() {
        Map<String, Object> context = Map.of("firstName", "<b>Ada</b> & \"Co\" 'x' `y` =z");

        assertEquals("Hi &lt;b&gt;Ada&lt;/b&gt; &amp; &quot;Co&quot; &#x27;x&#x27; &#x60;y&#x60; &#x3D;z",
                HandlebarsTemplates.html().compile("Hi {{firstName}}", "html").render(context));
        assertEquals("Hi <b>Ada</b> & \"Co\" 'x' `y` =z",
                HandlebarsTemplates.text().compile("Hi {{firstName}}", "subject").render(context));
        assertEquals("Hi &lt;b&gt;Ada&lt;/b&gt; &amp; &quot;Co&quot; &#x27;x&#x27; &#x60;y&#x60; &#x3D;z",
                HandlebarsTemplates.html().compile("Hi {{default firstName \"x\"}}", "html").render(context));
    }

    @Test
    void givenUnclosedBlock_whenCompiled_thenRefusedWithFieldLineAndColumn() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> HandlebarsTemplates.html()
                .compile("<p>Hello</p>\n<p>{{#if plan}}pro\n</p>", "variants[0].html"));

        assertEquals("variants[0].html", e.field());
        assertEquals("line 3, column 5: the template ends inside a block: a {{/...}} closing tag is missing", e.reason());
    }

    @Test
    void givenAControlCharacterAsHelperName_whenCompiled_thenRefusedNamingTheField() {
        // Found by MessageTemplatesFuzzTest (corpus crash-control-character-as-helper-name): the parser's
        // IllegalArgumentException used to escape compile (a 500 on POST /campaigns).
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> HandlebarsTemplates.html().compile("Hi {{\u0004}}", "html"));

        assertEquals("html", e.field());
        assertEquals("is not a valid template: A helper's name is required.", e.reason());
    }

    @Test
    void givenAPartialNamedByALoneQuote_whenCompiled_thenRefusedNamingTheField() {
        // Found by MessageTemplatesFuzzTest (corpus crash-783a885a...): the parser's StringIndexOutOfBoundsException
        // used to escape compile (a 500 on POST /campaigns and POST /content/check).
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> HandlebarsTemplates.html().compile("this.@{{> '}}", "html"));

        assertEquals("html", e.field());
        assertEquals("is not a valid template: a tag could not be read", e.reason());
    }

    @Test
    void givenBrokenExpressionOnSecondLine_whenCompiled_thenLineAndColumnPointAtIt() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> HandlebarsTemplates.text().compile("Hello\nDear {{firstName}", "subject"));

        assertEquals("subject", e.field());
        assertEquals("line 2, column 17: unexpected '}'", e.reason());
    }

    @Test
    void givenMismatchedClosingTag_whenCompiled_thenRefusedAtTheClosingTag() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> HandlebarsTemplates.html().compile("{{#if a}}x{{/each}}", "html"));

        assertEquals("line 1, column 14: unexpected 'each', expected 'if'", e.reason());
    }

    @Test
    void givenPartialOrFileHelperOrUnknownHelper_whenCompiled_thenRefused() {
        Map<String, String> expected = Map.of(
                "{{> header}}", "line 1, column 5: partials ({{> name}}) are not available in message templates",
                "{{embedded \"x\"}}", "line 1, column 3: the embedded helper is not available in message templates",
                "{{precompile \"x\"}}", "line 1, column 3: the precompile helper is not available in message templates",
                "{{shout firstName}}", "line 1, column 3: could not find helper: 'shout'");
        expected.forEach((source, reason) -> {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> HandlebarsTemplates.html().compile(source, "html"), source);
            assertEquals("html", e.field());
            assertEquals(reason, e.reason(), source);
        });
    }

    @Test
    void givenCommonValidTemplates_whenCompiledAndRenderedWithEmptyContext_thenAccepted() {
        Map<String, String> expected = Map.of(
                "{{lookup attributes \"plan\"}}", "",
                "{{#each segments}}{{this}}{{/each}}", "",
                "{{#with attributes}}{{plan}}{{/with}}", "",
                "{{#unless vip}}x{{/unless}}", "x",
                "a{{!-- a comment --}}b", "ab",
                "{{#if plan}}p{{else if vip}}v{{else}}n{{/if}}", "n",
                "{{default}}", "");
        expected.forEach((source, output) ->
                assertEquals(output, HandlebarsTemplates.html().compile(source, "html").render(Map.of()), source));
    }

    @Test
    void givenAttributeNamedLikeBuiltIn_whenContextBuilt_thenBuiltInWinsAndAttributeStaysUnderAttributes() {
        Map<String, Object> context = PersonalizationContext.of(subscriber("ada@example.com", "Ada",
                Map.of("email", "spoof@example.com", "firstName", "Eve")), Map.of("unsubscribeUrl", "https://u.example.com/1"));

        assertEquals("ada@example.com Ada spoof@example.com https://u.example.com/1", HandlebarsTemplates.text()
                .compile("{{email}} {{firstName}} {{attributes.email}} {{unsubscribeUrl}}", "text").render(context));
    }

    @Test
    void givenOneCompiledTemplate_whenRenderedFromManyThreads_thenEveryRenderingIsItsOwn() throws Exception {
        CompiledTemplate template = HandlebarsTemplates.html().compile("<p>{{default firstName \"x\"}}-{{n}}</p>", "html");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int n = i;
                futures.add(pool.submit(() -> template.render(Map.of("firstName", "R" + n, "n", n))));
            }
            for (int i = 0; i < futures.size(); i++) {
                assertEquals("<p>R" + i + "-" + i + "</p>", futures.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
