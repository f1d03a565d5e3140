package dev.dispatch.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.adapter.content.ContentRules;
import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.content.ContentFinding;
import dev.dispatch.domain.content.ContentReport;
import dev.dispatch.domain.content.MessageDraft;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContentRulesTest {
    private static final String CLEAN_HTML = "<html><body><h1>November at the workshop</h1>"
            + "<p>Hello {{default firstName \"there\"}}, this month we rebuilt the kiln, ran two evening classes and "
            + "started a waiting list for the spring pottery course. The photos of the students' work are on our site, "
            + "and the schedule for December is below. Thank you for reading and for the notes you sent back.</p>"
            + "<p><a href=\"https://workshop.example.com/schedule\">See the December schedule</a></p>"
            + "<p><a href=\"{{unsubscribeUrl}}\">Unsubscribe</a></p></body></html>";
    private static final String CLEAN_TEXT = "November at the workshop. See https://workshop.example.com/schedule\n"
            + "Unsubscribe: {{unsubscribeUrl}}";

    private final ContentRules rules = new ContentRules();

    private ContentReport check(String from, String subject, String html, String text) {
        return rules.check(new MessageDraft(from, subject, html, text), 5.0);
    }

    private static List<String> rules(ContentReport report) {
        return report.findings().stream().map(ContentFinding::rule).toList();
    }

    @Test
    void givenACleanNewsletter_whenChecked_thenNothingFiresAndItMaySend() {
        ContentReport report = check("news@workshop.example.com", "What happened at the workshop in November", CLEAN_HTML, CLEAN_TEXT);
        assertEquals(List.of(), report.findings());
        assertEquals(0.0, report.score());
        assertFalse(report.refused());
    }

    @Test
    void givenObviousSpam_whenChecked_thenEachSignalIsExplainedAndTheScoreRefusesIt() {
        String html = "<body><img src=\"https://cdn.example.net/offer.png\"><p>ACT NOW! 100% free, click here.</p>"
                + "<a href=\"http://198.51.100.7/claim\">paypal.com</a> <a href=\"https://bit.ly/x1\">claim</a>"
                + "<script>track()</script><form action=\"https://x.example\"><input></form>"
                + "<div style=\"display:none\">preview</div>"
                + "<div style=\"font-size:0px\">cheap pills cheap pills cheap pills cheap pills cheap pills cheap pills "
                + "cheap pills cheap pills cheap pills cheap pills cheap pills cheap pills cheap pills cheap pills cheap pills "
                + "cheap pills cheap pills cheap pills cheap pills cheap pills</div>"
                + "<p>Hi {{firstName}}</p></body>";
        ContentReport report = check("deals@gmail.com", "YOU HAVE BEEN SELECTED AS A WINNER!!!", html, null);
        List<String> fired = rules(report);
        for (String rule : List.of("SUBJECT_SHOUTING", "SUBJECT_EXCLAMATION", "SPAM_PHRASE_SUBJECT", "SPAM_PHRASE_BODY",
                "FROM_FREEMAIL", "NO_TEXT_PART", "DISALLOWED_ELEMENT", "IMAGE_NO_ALT", "HTML_IMAGE_ONLY",
                "LINK_TEXT_MISMATCH", "URL_SHORTENER", "RAW_IP_LINK", "HIDDEN_TEXT", "NO_UNSUBSCRIBE_LINK",
                "MERGE_FIELD_NO_FALLBACK")) {
            assertTrue(fired.contains(rule), rule + " in " + fired);
        }
        assertTrue(report.refused(), "score " + report.score());
        ContentFinding mismatch = report.findings().stream().filter(f -> f.rule().equals("LINK_TEXT_MISMATCH")).findFirst().orElseThrow();
        assertTrue(mismatch.evidence().contains("198.51.100.7") && mismatch.fix().contains("paypal.com"), mismatch.toString());
        double sum = report.findings().stream().mapToDouble(ContentFinding::points).sum();
        assertEquals(Math.round(sum * 10) / 10.0, report.score());
    }

    @Test
    void givenTheOneShortHiddenPreviewLine_whenChecked_thenItIsNotHiddenText() {
        String html = CLEAN_HTML.replace("<body>", "<body><div style=\"display:none;max-height:0\">Your November news</div>");
        assertEquals(List.of(), rules(check("news@workshop.example.com", "November", html, CLEAN_TEXT)));
    }

    @Test
    void givenHtmlOverGmailsClippingLimit_whenChecked_thenItSaysSo() {
        String html = CLEAN_HTML.replace("</body>", "<p>" + "word ".repeat(22_000) + "</p></body>");
        assertTrue(rules(check("news@workshop.example.com", "November", html, CLEAN_TEXT)).contains("HTML_CLIPPED"));
    }

    @Test
    void givenAGuardedField_whenChecked_thenItNeedsNoFallback() {
        String html = CLEAN_HTML.replace("<h1>", "{{#if firstName}}<p>Dear {{firstName}}</p>{{/if}}<h1>");
        assertEquals(List.of(), rules(check("news@workshop.example.com", "November", html, CLEAN_TEXT)));
    }

    @Test
    void givenFixableFindings_whenImproved_thenOnlyTheRequestedImprovementsAreAppliedAndTheyFixTheirFindings() {
        MessageDraft draft = new MessageDraft("news@workshop.example.com", "Hi {{firstName}}",
                "<p>Hello {{firstName}}, our news.</p><script>x()</script><iframe src=\"https://v.example\"></iframe>", null);
        ContentReport before = rules.check(draft, 5.0);
        assertTrue(before.improvements().stream().anyMatch(i -> i.id().equals("remove-disallowed")
                && i.before().contains("<script>") && !i.after().contains("<script>")), before.improvements().toString());
        // Nothing changes unless asked.
        assertEquals(draft, rules.improve(draft, Set.of()));

        MessageDraft improved = rules.improve(draft, Set.of("remove-disallowed", "merge-fallbacks", "unsubscribe-link", "text-part"));
        assertEquals("Hi {{default firstName \"there\"}}", improved.subject());
        assertFalse(improved.html().contains("<script") || improved.html().contains("<iframe"), improved.html());
        assertTrue(improved.html().contains("{{default firstName \"there\"}}") && improved.html().contains("{{unsubscribeUrl}}"));
        assertTrue(improved.text().contains("Hello {{default firstName \"there\"}}, our news."), improved.text());
        assertEquals(List.of(), rules(rules.check(improved, 5.0)).stream()
                .filter(r -> Set.of("DISALLOWED_ELEMENT", "MERGE_FIELD_NO_FALLBACK", "NO_UNSUBSCRIBE_LINK", "NO_TEXT_PART").contains(r))
                .toList());
    }

    @Test
    void givenAnUnknownImprovement_whenImproved_thenTheFieldIsNamed() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> rules.improve(new MessageDraft(null, "s", "<p>x</p>", null), Set.of("make-it-good")));
        assertEquals("apply", e.field());
    }

    @Test
    void givenABrokenTemplate_whenChecked_thenThePartIsNamed() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> check("news@workshop.example.com", "Hi {{#if}}", CLEAN_HTML, null));
        assertEquals("subject", e.field());
    }
}
