package dev.dispatch.local.api;

import static dev.dispatch.local.LocalCloudExtension.call;
import static dev.dispatch.local.LocalCloudExtension.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudExtension;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The content check through the api function: explain, improve on request, and refuse a spammy send unless forced. */
@ExtendWith(LocalCloudExtension.class)
class ContentCheckApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPAMMY_HTML = "<p>ACT NOW! Click here for a 100% free gift.</p>"
            + "<img src=\"https://cdn.example.net/offer.png\"><script>track()</script>"
            + "<a href=\"https://bit.ly/x1\">www.example.com</a>";
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    private static List<String> rules(JsonNode report) {
        List<String> rules = new ArrayList<>();
        report.get("findings").forEach(f -> rules.add(f.get("rule").asText()));
        return rules;
    }

    private static String body(String subject, String html) {
        ObjectNode body = JSON.createObjectNode();
        body.put("fromEmail", "news@example.com");
        body.put("subject", subject);
        body.put("html", html);
        return body.toString();
    }

    @Test
    void givenSpammyContent_whenChecked_thenEveryFindingIsExplainedAndImprovementsApplyOnlyOnRequest(LocalCloud cloud)
            throws Exception {
        HttpResponse<String> checked = call("POST", "/content/check", body("FREE OFFER FOR YOU TODAY!!!", SPAMMY_HTML));
        assertEquals(200, checked.statusCode(), checked.body());
        JsonNode report = json(checked);
        assertEquals("refused", report.get("verdict").asText(), checked.body());
        assertTrue(report.get("score").asDouble() >= report.get("threshold").asDouble(), checked.body());
        List<String> fired = rules(report);
        for (String rule : List.of("SUBJECT_SHOUTING", "SUBJECT_EXCLAMATION", "SPAM_PHRASE_BODY", "DISALLOWED_ELEMENT",
                "URL_SHORTENER", "LINK_TEXT_MISMATCH", "IMAGE_NO_ALT", "NO_UNSUBSCRIBE_LINK", "NO_TEXT_PART")) {
            assertTrue(fired.contains(rule), rule + " in " + fired);
        }
        for (JsonNode f : report.get("findings")) {
            assertTrue(f.get("points").asDouble() > 0 && !f.get("evidence").asText().isBlank()
                    && !f.get("fix").asText().isBlank(), f.toString());
        }
        // The From domain's authentication, read from a real DNS server (dnsmasq, started by LocalCloudExtension).
        JsonNode sender = report.get("sender");
        assertEquals("example.com", sender.get("domain").asText(), checked.body());
        for (JsonNode c : sender.get("checks")) {
            assertEquals("pass", c.get("status").asText(), c.toString());
        }
        JsonNode removal = null;
        for (JsonNode i : report.get("improvements")) {
            if (i.get("id").asText().equals("remove-disallowed")) {
                removal = i;
            }
        }
        assertTrue(removal != null && removal.get("before").asText().contains("<script>")
                && !removal.get("after").asText().contains("<script>"), report.get("improvements").toString());

        ObjectNode improve = (ObjectNode) JSON.readTree(body("Our news", SPAMMY_HTML));
        improve.putArray("apply").add("remove-disallowed").add("unsubscribe-link").add("text-part");
        HttpResponse<String> improved = call("POST", "/content/improve", improve.toString());
        assertEquals(200, improved.statusCode(), improved.body());
        JsonNode content = json(improved).get("content");
        assertFalse(content.get("html").asText().contains("<script"), improved.body());
        assertTrue(content.get("html").asText().contains("{{unsubscribeUrl}}"), improved.body());
        assertTrue(content.get("text").asText().contains("Click here"), improved.body());
        List<String> after = rules(json(improved).get("check"));
        assertFalse(after.contains("DISALLOWED_ELEMENT") || after.contains("NO_UNSUBSCRIBE_LINK") || after.contains("NO_TEXT_PART"),
                after.toString());
        assertTrue(json(improved).get("check").get("score").asDouble() < report.get("score").asDouble());
    }

    @Test
    void givenBadRequests_whenChecked_thenTheFieldIsNamed(LocalCloud cloud) throws Exception {
        HttpResponse<String> empty = call("POST", "/content/check", "{\"subject\":\"Hi\"}");
        assertEquals(400, empty.statusCode(), empty.body());
        assertEquals("html", json(empty).get("field").asText());
        HttpResponse<String> unknown = call("POST", "/content/improve",
                "{\"html\":\"<p>x</p>\",\"apply\":[\"make-it-better\"]}");
        assertEquals(400, unknown.statusCode(), unknown.body());
        assertEquals("apply", json(unknown).get("field").asText());
        HttpResponse<String> broken = call("POST", "/content/check", "{\"html\":\"<p>{{#if x}}</p>\"}");
        assertEquals(400, broken.statusCode(), broken.body());
        assertEquals("html", json(broken).get("field").asText());
    }

    @Test
    void givenASpammyVariant_whenSent_thenRefusedWithTheFindingsUnlessForced(LocalCloud cloud) throws Exception {
        String segment = "content-" + run;
        String email = "reader-" + run + "@example.com";
        assertEquals(201, call("POST", "/subscribers", "{\"email\":\"" + email + "\",\"segments\":[\"" + segment + "\"]}").statusCode());
        ObjectNode campaign = JSON.createObjectNode();
        campaign.put("name", "Content " + run);
        campaign.put("fromEmail", "news@example.com");
        campaign.put("subject", "Our November news");
        campaign.put("html", "<p>What we did this month, and what comes next.</p><a href=\"{{unsubscribeUrl}}\">Unsubscribe</a>");
        campaign.putArray("segments").add(segment);
        campaign.putArray("providers").add("ses");
        var variants = campaign.putArray("variants"); // A as the campaign; B with a spammy subject and HTML
        variants.addObject().put("id", "A").put("percent", 50);
        variants.addObject().put("id", "B").put("percent", 50).put("subject", "WIN A FREE GIFT NOW!!!").put("html", SPAMMY_HTML);
        HttpResponse<String> created = call("POST", "/campaigns", campaign.toString());
        assertEquals(201, created.statusCode(), created.body());
        String id = json(created).get("id").asText();

        JsonNode report = json(call("POST", "/campaigns/" + id + "/check", null));
        assertEquals("refused", report.get("verdict").asText(), report.toString());
        List<String> wheres = new ArrayList<>();
        report.get("findings").forEach(f -> wheres.add(f.get("where").asText()));
        assertTrue(wheres.contains("variants[B].subject") && wheres.contains("variants[B].html"), wheres.toString());
        assertFalse(wheres.contains("subject"), "variant A's own subject is clean: " + wheres);

        HttpResponse<String> refused = call("POST", "/campaigns/" + id + "/send", "{}");
        assertEquals(422, refused.statusCode(), refused.body());
        assertEquals("content", json(refused).get("field").asText());
        assertTrue(json(refused).get("findings").size() > 0, refused.body());
        assertEquals("draft", json(call("GET", "/campaigns/" + id, null)).get("status").asText(), "nothing was sent");

        HttpResponse<String> forced = call("POST", "/campaigns/" + id + "/send", "{\"force\":true}");
        assertEquals(200, forced.statusCode(), forced.body());
        JsonNode status = null;
        for (int i = 0; i < 120; i++) {
            status = json(call("GET", "/campaigns/" + id, null));
            if ("sent".equals(status.get("status").asText())) {
                break;
            }
            Thread.sleep(500);
        }
        assertEquals("sent", status.get("status").asText(), status.toString());
    }
}
