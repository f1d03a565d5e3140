package dev.dispatch.local.api;

import static dev.dispatch.local.LocalCloudExtension.call;
import static dev.dispatch.local.LocalCloudExtension.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dispatch.local.LocalCloudExtension;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Double opt-in, consent records and the preference center end to end on the local cloud, through the real
 * functions: the confirmation mail arrives once in the local SES (sent by send-batch from the SendQueue), a campaign
 * sent before the confirmation does not reach the person and one after does, a re-add inside the cool-down mails
 * nothing, the links' GETs change nothing, tampered links get an error page and change nothing, and the consent
 * evidence shows in GET and in the export.
 */
@ExtendWith(LocalCloudExtension.class)
class OptInApiTest {
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void givenADoubleOptInSegment_whenAddedConfirmedAndManaged_thenMailedOnceOnlyAfterConfirmationWithConsentKept()
            throws Exception {
        String news = "optin-" + run;
        String plain = "plain-" + run;
        String ada = "ada-" + run + "@example.com";

        // Bad settings are refused, naming the field.
        HttpResponse<String> bad = call("PUT", "/segments/" + news, "{\"fromEmail\":\"news@example.com\"}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("doubleOptIn"), bad.body());
        bad = call("PUT", "/segments/" + news, "{\"doubleOptIn\":true,\"fromEmail\":\"news@example.com\",\"html\":\"<p>no link</p>\"}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("html"), bad.body());
        HttpResponse<String> configured = call("PUT", "/segments/" + news, "{\"doubleOptIn\":true,\"fromEmail\":"
                + "\"news@example.com\",\"consentText\":\"Weekly news, unsubscribe any time\",\"consentVersion\":\"v1\"}");
        assertEquals(200, configured.statusCode(), configured.body());
        String confirmationCampaign = json(configured).path("confirmation").path("campaignId").asText();
        assertTrue(json(call("GET", "/segments/" + news, null)).path("doubleOptIn").asBoolean());

        // Added through the API: pending for the double opt-in segment, a member of the other at once.
        HttpResponse<String> added = call("POST", "/subscribers", "{\"email\":\"" + ada + "\",\"firstName\":\"Ada\","
                + "\"segments\":[\"" + news + "\",\"" + plain + "\"]}");
        assertEquals(201, added.statusCode(), added.body());
        JsonNode view = json(call("GET", "/subscribers/" + enc(ada), null));
        assertEquals(List.of(plain), strings(view.path("segments")), view.toString());
        assertEquals(news, view.path("pending").path(0).path("segment").asText(), view.toString());
        JsonNode requested = consent(view, news, "requested");
        assertEquals("api", requested.path("method").asText(), view.toString());
        assertTrue(requested.path("source").asText().startsWith("key-"), view.toString());
        assertEquals("v1", requested.path("version").asText(), view.toString());
        assertEquals("given", consent(view, plain, "given").path("action").asText());

        // One confirmation mail, through the send path.
        await(() -> mailsTo(ada).size() == 1, "the confirmation mail");
        JsonNode confirmation = mailsTo(ada).get(0);
        String confirmHtml = confirmation.path("body").path("html").asText();
        String confirmUrl = link(confirmHtml, "/c/");

        // A campaign sent before the confirmation does not reach Ada.
        String before = sendAndWait(news, "Before");
        assertEquals(0, json(call("GET", "/campaigns/" + before + "/stats", null)).path("counts").path("sent").asInt());

        // Re-added inside the cool-down (import and API): no second confirmation.
        HttpRequest importRequest = LocalCloudExtension.request("/subscribers/bulk-import")
                .header("Authorization", "Bearer " + LocalCloudExtension.devApiKey()).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString("email,segments\n" + ada + "," + news + "\ncarl-" + run
                        + "@example.com," + news + "\n")).build();
        HttpResponse<String> imported = LocalCloudExtension.send(importRequest);
        assertEquals(200, imported.statusCode(), imported.body());
        String importId = imported.headers().firstValue("X-Dispatch-Import-Id").orElseThrow();
        assertEquals(1, json(imported).path("created").asInt(), imported.body());
        assertEquals(1, json(imported).path("unchanged").asInt(), imported.body());
        assertEquals(409, call("POST", "/subscribers", "{\"email\":\"" + ada + "\",\"segments\":[\"" + news + "\"]}").statusCode());
        String carl = "carl-" + run + "@example.com";
        await(() -> mailsTo(carl).size() == 1, "the imported address's confirmation mail");
        JsonNode carlConsent = consent(json(call("GET", "/subscribers/" + enc(carl), null)), news, "requested");
        assertEquals("import", carlConsent.path("method").asText());
        assertTrue(carlConsent.path("source").asText().startsWith(importId + " key-"), carlConsent.toString());
        awaitDrained("SendQueue");
        assertEquals(1, mailsTo(ada).size(), "no second confirmation inside the cool-down");

        // GET shows a page and confirms nothing (mail scanners follow GETs).
        HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(confirmUrl)).GET().build());
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("<form method=\"post\">"), page.body());
        assertEquals(List.of(plain), strings(json(call("GET", "/subscribers/" + enc(ada), null)).path("segments")));

        // Tampered links: a clear page, nothing changed; a confirmation link is no unsubscribe link.
        String token = confirmUrl.substring(confirmUrl.indexOf("/c/") + 3);
        String[] parts = token.split("\\.");
        String otherPayload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("confirm:" + news + "\nmallory-" + run + "@example.com").getBytes(StandardCharsets.UTF_8));
        String forged = parts[0] + "." + otherPayload + "." + parts[2];
        for (String t : List.of(forged, token.substring(0, token.length() - 2) + "xx", "garbage")) {
            HttpResponse<String> refused = post("/c/" + t, "");
            assertEquals(400, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("not valid"), refused.body());
        }
        assertEquals(400, post("/u/" + token, "List-Unsubscribe=One-Click").statusCode());
        JsonNode unchanged = json(call("GET", "/subscribers/" + enc(ada), null));
        assertEquals("active", unchanged.path("status").asText());
        assertEquals(List.of(plain), strings(unchanged.path("segments")));

        // POST confirms, with the click's evidence.
        HttpResponse<String> confirmed = send(HttpRequest.newBuilder(URI.create(confirmUrl))
                .header("User-Agent", "OptInTest/1.0").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("")).build());
        assertEquals(200, confirmed.statusCode(), confirmed.body());
        assertTrue(confirmed.body().contains("confirmed"), confirmed.body());
        view = json(call("GET", "/subscribers/" + enc(ada), null));
        assertEquals(List.of(news, plain), strings(view.path("segments")), view.toString());
        assertTrue(view.path("pending").isEmpty(), view.toString());
        JsonNode click = consent(view, news, "confirmed");
        assertEquals("confirmation-link", click.path("method").asText());
        assertEquals("OptInTest/1.0", click.path("userAgent").asText());
        assertFalse(click.path("ip").asText().isEmpty(), click.toString());
        assertEquals("Weekly news, unsubscribe any time", click.path("text").asText());
        assertEquals("v1", click.path("version").asText());
        // Both confirmations (Ada's, Carl's) went out as batches of the segment's confirmation campaign.
        assertEquals(2, json(call("GET", "/campaigns/" + confirmationCampaign + "/stats", null)).path("counts")
                .path("sent").asInt(), "the confirmations went through send-batch");

        // A campaign after the confirmation reaches Ada, with the preference center link.
        String after = sendAndWait(news, "After");
        assertEquals(1, json(call("GET", "/campaigns/" + after + "/stats", null)).path("counts").path("sent").asInt());
        List<JsonNode> mail = mailsTo(ada);
        assertEquals(2, mail.size());
        String campaignHtml = mail.stream().map(m -> m.path("body").path("html").asText())
                .filter(h -> h.contains("/p/")).findFirst().orElseThrow();
        String preferencesUrl = link(campaignHtml, "/p/");
        String preferencesPath = URI.create(preferencesUrl).getPath();

        // The preference page lists the segments; a tampered token changes nothing; the form leaves one.
        HttpResponse<String> prefs = send(HttpRequest.newBuilder(URI.create(preferencesUrl)).GET().build());
        assertEquals(200, prefs.statusCode(), prefs.body());
        assertTrue(prefs.body().contains("value=\"" + news + "\"") && prefs.body().contains("value=\"" + plain + "\""), prefs.body());
        String prefsToken = preferencesPath.substring(3);
        HttpResponse<String> tampered = post("/p/" + prefsToken.substring(0, prefsToken.length() - 3) + "abc",
                "keep=" + plain + "&action=save");
        assertEquals(400, tampered.statusCode(), tampered.body());
        assertEquals(List.of(news, plain), strings(json(call("GET", "/subscribers/" + enc(ada), null)).path("segments")));
        assertEquals(400, post("/p/" + token, "keep=" + plain + "&action=save").statusCode(), "a confirmation token");
        HttpResponse<String> saved = post(preferencesPath, "keep=" + plain + "&action=save");
        assertEquals(200, saved.statusCode(), saved.body());
        view = json(call("GET", "/subscribers/" + enc(ada), null));
        assertEquals(List.of(plain), strings(view.path("segments")), view.toString());
        assertEquals("preference-center", consent(view, news, "withdrawn").path("method").asText());
        assertFalse(json(call("GET", "/subscribers/segment/" + news, null)).path("subscribers").findValuesAsText("email")
                .contains(ada), "Ada left the segment");

        // The export carries the consent records.
        JsonNode export = json(call("GET", "/subscribers/" + enc(ada) + "/export", null));
        List<String> actions = new ArrayList<>();
        export.path("consents").forEach(c -> actions.add(c.path("segment").asText().equals(news) ? c.path("action").asText() : ""));
        assertTrue(actions.containsAll(List.of("requested", "confirmed", "withdrawn")), export.toString());
        assertEquals(news, json(call("GET", "/subscribers/" + enc(carl) + "/export", null)).path("pendingOptIns")
                .path(0).path("segment").asText());

        // Unsubscribe from everything through the page.
        assertEquals(200, post(preferencesPath, "action=unsubscribe-all").statusCode());
        assertEquals("unsubscribed", json(call("GET", "/subscribers/" + enc(ada), null)).path("status").asText());
    }

    private static JsonNode consent(JsonNode view, String segment, String action) {
        for (JsonNode c : view.path("consents")) {
            if (c.path("segment").asText().equals(segment) && c.path("action").asText().equals(action)) {
                return c;
            }
        }
        throw new AssertionError("no " + action + " consent for " + segment + " in " + view);
    }

    private List<JsonNode> mailsTo(String address) {
        try {
            return LocalCloudExtension.sesMessagesTo(run).getOrDefault(address, List.of());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String link(String html, String route) {
        Matcher m = Pattern.compile("href=\"(http[^\"]+" + route + "[^\"]+)\"").matcher(html);
        assertTrue(m.find(), html);
        return m.group(1).replace("&amp;", "&");
    }

    private static HttpResponse<String> post(String path, String form) {
        return send(LocalCloudExtension.request(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        return LocalCloudExtension.send(request);
    }

    private String sendAndWait(String segment, String name) throws InterruptedException {
        String id = json(call("POST", "/campaigns", "{\"name\":\"" + name + "\",\"fromEmail\":\"news@example.com\","
                + "\"subject\":\"Hi\",\"html\":\"<p>Hi</p><a href=\\\"{{unsubscribeUrl}}\\\">Unsubscribe</a>\","
                + "\"segments\":[\"" + segment + "\"],\"providers\":[\"ses\"]}")).get("id").asText();
        HttpResponse<String> sending = call("POST", "/campaigns/" + id + "/send", null);
        assertEquals(200, sending.statusCode(), sending.body());
        await(() -> "sent".equals(json(call("GET", "/campaigns/" + id, null)).path("status").asText()), "campaign " + name + " sent");
        return id;
    }

    private static void awaitDrained(String queue) throws InterruptedException {
        String url = LocalCloudExtension.localAws().resources().queueUrl(queue);
        await(() -> {
            Map<QueueAttributeName, String> a = LocalCloudExtension.localAws().sqs().getQueueAttributes(b -> b.queueUrl(url)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
            return "0".equals(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                    && "0".equals(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
        }, queue + " drained");
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(300);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static String enc(String email) {
        return URLEncoder.encode(email, StandardCharsets.UTF_8);
    }
}
