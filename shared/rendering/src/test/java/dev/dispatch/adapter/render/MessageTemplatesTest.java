package dev.dispatch.adapter.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.message.MessageContent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageTemplatesTest {

    private static String substitute(String tagged, Map<String, String> substitutions) {
        String result = tagged;
        for (Map.Entry<String, String> entry : substitutions.entrySet()) {
            result = result.replace(entry.getKey(), entry.getValue());
        }
        return result;
    }

    @Test
    void givenRecipientsWithDifferentValues_whenRenderedAll_thenTaggedFormPlusSubstitutionsGivesEachOwnContent() {
        MessageTemplates templates = MessageTemplates.compile("Hi {{firstName}}", "For {{firstName}} & co",
                "<p>Hi {{firstName}} ({{plan}})</p>", null, "");
        List<Map<String, Object>> contexts = List.of(
                Map.of("firstName", "Ada", "plan", "pro"),
                Map.of("firstName", "Bob <&>", "plan", "free"));

        List<MessageTemplates.Rendered> rendered = templates.renderAll(contexts);

        assertSame(rendered.get(0).merge().tagged(), rendered.get(1).merge().tagged(), "one shared tagged rendering");
        MessageContent tagged = rendered.get(0).merge().tagged();
        for (MessageTemplates.Rendered r : rendered) {
            Map<String, String> substitutions = r.merge().substitutions();
            assertEquals(r.content().html(), substitute(tagged.html(), substitutions));
            assertEquals(r.content().subject(), substitute(tagged.subject(), substitutions));
            assertEquals(MessageBodies.text(r.content().text(), r.content().html()), substitute(tagged.text(), substitutions));
            assertEquals(MessageBodies.html(r.content().html(), r.content().preheader()),
                    substitute(MessageBodies.html(tagged.html(), tagged.preheader()), substitutions));
        }
        assertEquals("<p>Hi Bob &lt;&amp;&gt; (free)</p>", rendered.get(1).content().html());
        assertNull(rendered.get(1).content().text());
    }

    @Test
    void givenOptionalFlagAndMissingName_whenPartitioned_thenRecipientsGroupedByHowConditionalsGo() {
        List<Map<String, Object>> contexts = List.of(
                Map.of("firstName", "Ada", "plan", "pro", "unused", "1"),
                Map.of("firstName", "Bob", "plan", "pro", "vip", true, "unused", "2"),
                Map.of("plan", "free", "unused", "3"),
                Map.of("firstName", "Cy", "plan", "team"),
                Map.of("firstName", " ", "plan", "team"));

        List<List<Integer>> groups = MergeTags.partitions(contexts, java.util.Set.of("firstName", "plan", "vip"));

        assertEquals(List.of(List.of(0, 3), List.of(1), List.of(2), List.of(4)), groups);
    }

    @Test
    void givenTemplatesReadingOnlySomeVariables_whenTagged_thenUnreadOnesLeftOut() {
        MessageTemplates templates = MessageTemplates.compile("Hi", null, null, "{{firstName}} {{attributes.plan}}", "");
        List<MessageTemplates.Rendered> rendered = templates.renderAll(List.of(
                Map.of("firstName", "Ada", "secret", "s1", "attributes", Map.of("plan", "pro")),
                Map.of("firstName", "Bob", "secret", "s2", "attributes", Map.of("plan", "free"))));

        Map<String, String> substitutions = rendered.get(1).merge().substitutions();
        assertEquals(4, substitutions.size(), substitutions.toString());
        assertTrue(substitutions.containsValue("Bob"));
        assertTrue(substitutions.containsValue("free"));
        assertEquals("Bob free", substitute(rendered.get(1).merge().tagged().text(), substitutions));
    }

    @Test
    void givenNoSubjectOrNoBody_whenCompiled_thenRefusedNamingTheField() {
        assertEquals("variants[1].subject", assertThrows(InvalidInputException.class,
                () -> MessageTemplates.compile(" ", null, "<p>x</p>", null, "variants[1].")).field());
        assertEquals("variants[1].html", assertThrows(InvalidInputException.class,
                () -> MessageTemplates.compile("s", null, null, " ", "variants[1].")).field());
        assertEquals("variants[1].text", assertThrows(InvalidInputException.class,
                () -> MessageTemplates.compile("s", null, null, "{{#if}}", "variants[1].")).field());
    }
}
