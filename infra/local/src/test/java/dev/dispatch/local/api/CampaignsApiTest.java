package dev.dispatch.local.api;

import static dev.dispatch.local.LocalCloudExtension.call;
import static dev.dispatch.local.LocalCloudExtension.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.local.LocalCloud;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A campaign end to end on the local cloud: api -> EnqueueQueue -> enqueue-campaign -> SendQueue -> send-batch ->
 * SES (aws-ses-v2-local), checked on the sent messages themselves; then one-click unsubscribe from a sent link.
 */
@ExtendWith(LocalCloudExtension.class)
class CampaignsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    private String address(String local) {
        return local + "-" + run + "@example.com";
    }

    @Test
    void givenASegment_whenACampaignIsSentThroughSes_thenEachActiveMemberGetsExactlyOnePersonalizedMessage(LocalCloud cloud)
            throws Exception {
        String segment = "launch-" + run;
        String vip = "vip-" + run;
        String staff = "staff-" + run;
        call("POST", "/subscribers", "{\"email\":\"" + address("ada") + "\",\"firstName\":\"Ada\",\"segments\":[\"" + segment + "\",\"" + vip + "\"],\"attributes\":{\"plan\":\"pro\"}}");
        call("POST", "/subscribers", "{\"email\":\"" + address("bob") + "\",\"segments\":[\"" + segment + "\"]}");
        call("POST", "/subscribers", "{\"email\":\"" + address("cyd") + "\",\"firstName\":\"Cyd\",\"segments\":[\"" + vip + "\"]}");
        call("POST", "/subscribers", "{\"email\":\"" + address("dan") + "\",\"firstName\":\"Dan\",\"segments\":[\"" + segment + "\"]}");
        call("DELETE", "/subscribers/" + URLEncoder.encode(address("dan"), StandardCharsets.UTF_8), null);
        call("POST", "/subscribers", "{\"email\":\"" + address("eve") + "\",\"firstName\":\"Eve\",\"segments\":[\"" + segment + "\",\"" + staff + "\"]}");

        HttpResponse<String> broken = call("POST", "/campaigns", "{\"name\":\"Broken\",\"fromEmail\":\"news@example.com\","
                + "\"subject\":\"Hi\",\"html\":\"<p>\\n{{#if plan}}pro</p>\",\"segments\":[\"" + segment + "\"]}");
        assertEquals(400, broken.statusCode(), broken.body());
        assertEquals("html", json(broken).get("field").asText());
        assertTrue(json(broken).get("error").asText().startsWith("line "), broken.body());

        HttpResponse<String> created = call("POST", "/campaigns", "{\"name\":\"Launch\",\"fromEmail\":\"news@example.com\","
                + "\"fromName\":\"Example News\",\"subject\":\"Hello {{default firstName \\\"there\\\"}}\","
                + "\"html\":\"<p>Hi {{default firstName \\\"there\\\"}}{{#if plan}}, {{plan}} member{{/if}}!</p><p>{{missing}}</p><a href=\\\"{{unsubscribeUrl}}\\\">Unsubscribe</a>\","
                + "\"segments\":[\"" + segment + "\",\"" + vip + "\"],\"excludedSegments\":[\"" + staff + "\"],"
                + "\"variants\":[{\"id\":\"A\",\"percent\":50},{\"id\":\"B\",\"percent\":50,\"subject\":\"Hey {{default firstName \\\"friend\\\"}}\"}],"
                + "\"providers\":[\"ses\"]}");
        assertEquals(201, created.statusCode(), created.body());
        String id = json(created).get("id").asText();
        assertEquals("draft", json(created).get("status").asText());

        HttpResponse<String> sending = call("POST", "/campaigns/" + id + "/send", null);
        assertEquals(200, sending.statusCode(), sending.body());

        JsonNode campaign = null;
        for (int i = 0; i < 120; i++) {
            campaign = json(call("GET", "/campaigns/" + id, null));
            if ("sent".equals(campaign.get("status").asText())) {
                break;
            }
            Thread.sleep(500);
        }
        assertEquals("sent", campaign.get("status").asText(), campaign.toString());
        JsonNode counts = json(call("GET", "/campaigns/" + id + "/stats", null)).get("counts");
        assertEquals(3, counts.get("recipients").asInt(), counts.toString());
        assertEquals(3, counts.get("sent").asInt(), counts.toString());
        assertEquals(1, counts.get("skippedSuppressed").asInt(), counts.toString());
        assertEquals(1, counts.get("skippedExcluded").asInt(), counts.toString());

        Map<String, List<JsonNode>> byRecipient = LocalCloudExtension.sesMessagesTo(run);
        assertEquals(List.of(address("ada"), address("bob"), address("cyd")), new ArrayList<>(new java.util.TreeSet<>(byRecipient.keySet())));
        byRecipient.forEach((to, messages) -> assertEquals(1, messages.size(), to + " must get exactly one message"));
        JsonNode ada = byRecipient.get(address("ada")).get(0);
        String adaHtml = ada.path("body").path("html").asText();
        assertTrue(adaHtml.contains("Hi Ada, pro member!"), adaHtml);
        assertFalse(adaHtml.contains("null"), adaHtml);
        String bobSubject = byRecipient.get(address("bob")).get(0).get("subject").asText();
        assertTrue(bobSubject.equals("Hello there") || bobSubject.equals("Hey friend"), bobSubject);

        // One-click unsubscribe with the link Ada received: GET shows a page and changes nothing; POST unsubscribes.
        Matcher link = Pattern.compile("href=\"(http[^\"]+/u/[^\"]+)\"").matcher(adaHtml);
        assertTrue(link.find(), adaHtml);
        URI url = URI.create(link.group(1).replace("&amp;", "&"));
        HttpResponse<String> page = LocalCloudExtension.send(HttpRequest.newBuilder(url).GET().build());
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<form method=\"post\">"), page.body());
        assertEquals("active", json(call("GET", "/subscribers/" + URLEncoder.encode(address("ada"), StandardCharsets.UTF_8), null)).get("status").asText());
        HttpResponse<String> oneClick = LocalCloudExtension.send(HttpRequest.newBuilder(url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")).build());
        assertEquals(200, oneClick.statusCode(), oneClick.body());
        assertEquals("unsubscribed", json(call("GET", "/subscribers/" + URLEncoder.encode(address("ada"), StandardCharsets.UTF_8), null)).get("status").asText());
        String forged = url.toString().substring(0, url.toString().length() - 3) + "abc";
        assertEquals(400, LocalCloudExtension.send(HttpRequest.newBuilder(URI.create(forged))
                .POST(HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")).build()).statusCode());
    }

    @Test
    void givenTheSenderAllowlist_whenAFromOutsideItIsUsed_thenTheCampaignIsRefusedNamingFromEmailAndNothingIsStored(LocalCloud cloud) {
        String name = "Sender " + run;
        String body = "{\"name\":\"" + name + "\",\"fromEmail\":\"%s\",\"subject\":\"s\",\"html\":\"h\",\"segments\":[\"a\"]}";

        HttpResponse<String> allowed = call("POST", "/campaigns", String.format(body, "News@EXAMPLE.com"));
        assertEquals(201, allowed.statusCode(), allowed.body());
        assertEquals("News@example.com", json(allowed).get("fromEmail").asText());

        for (String from : List.of("ceo@bank.example.net", "news@mail.example.com", "news@example.com.evil.net")) {
            HttpResponse<String> refused = call("POST", "/campaigns", String.format(body, from));
            assertEquals(400, refused.statusCode(), from + ": " + refused.body());
            assertEquals("fromEmail", json(refused).get("field").asText(), refused.body());
            assertTrue(json(refused).get("error").asText().contains("not an allowed sender"), refused.body());
        }

        // Only the allowed campaign reached the table.
        List<String> stored = new ArrayList<>();
        cloud.localAws().dynamoDb().scanPaginator(b -> b.tableName(cloud.localAws().resources().tableName("CampaignsTable")))
                .items().forEach(item -> {
                    if (item.containsKey("definition") && item.get("definition").s().contains(name)) {
                        try {
                            stored.add(JSON.readTree(item.get("definition").s()).path("fromEmail").asText());
                        } catch (java.io.IOException e) {
                            throw new AssertionError(e);
                        }
                    }
                });
        assertEquals(List.of("News@example.com"), stored);
    }

    @Test
    void givenAnAddressUnsubscribedInOneCase_whenACampaignGoesToASegmentHoldingItInAnother_thenNoCaseOfItIsMailed()
            throws Exception {
        String segment = "cases-" + run;
        String bob = "Bob-" + run + "@Example.com";
        call("POST", "/subscribers", "{\"email\":\"" + bob + "\",\"segments\":[\"" + segment + "\"]}");
        assertEquals(200, call("DELETE", "/subscribers/" + URLEncoder.encode(bob, StandardCharsets.UTF_8), null).statusCode());
        // the same person comes back in lower case, by an import and by the API
        HttpRequest importRequest = LocalCloudExtension.request("/subscribers/bulk-import")
                .header("Authorization", "Bearer " + LocalCloudExtension.devApiKey()).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString("email,segments\nbob-" + run + "@example.com," + segment + "\n")).build();
        JsonNode report = json(LocalCloudExtension.send(importRequest));
        assertEquals("unsubscribed", report.get("suppressed").get(0).get("status").asText(), report.toString());
        assertEquals(409, call("POST", "/subscribers", "{\"email\":\"BOB-" + run + "@example.com\",\"segments\":[\"" + segment + "\"]}").statusCode());
        call("POST", "/subscribers", "{\"email\":\"Ann-" + run + "@Example.com\",\"segments\":[\"" + segment + "\"]}");

        String id = json(call("POST", "/campaigns", "{\"name\":\"Cases\",\"fromEmail\":\"news@example.com\","
                + "\"subject\":\"Hi\",\"html\":\"<p>Hi</p><a href=\\\"{{unsubscribeUrl}}\\\">Unsubscribe</a>\","
                + "\"segments\":[\"" + segment + "\"],\"providers\":[\"ses\"]}")).get("id").asText();
        assertEquals(200, call("POST", "/campaigns/" + id + "/send", null).statusCode());
        JsonNode campaign = null;
        for (int i = 0; i < 120; i++) {
            campaign = json(call("GET", "/campaigns/" + id, null));
            if ("sent".equals(campaign.get("status").asText())) {
                break;
            }
            Thread.sleep(500);
        }
        assertEquals("sent", campaign.get("status").asText(), campaign.toString());
        Map<String, List<JsonNode>> byRecipient = LocalCloudExtension.sesMessagesTo(run);
        assertEquals(List.of("Ann-" + run + "@example.com"), new ArrayList<>(byRecipient.keySet()),
                "Ann once, at the address she gave; Bob in no case");
        assertEquals(1, byRecipient.get("Ann-" + run + "@example.com").size());
        JsonNode counts = json(call("GET", "/campaigns/" + id + "/stats", null)).get("counts");
        assertEquals(1, counts.get("skippedSuppressed").asInt(), counts.toString());
    }

    @Test
    void givenBadCampaignInput_thenTheFieldIsNamed() {
        assertEquals("fromEmail", json(call("POST", "/campaigns", "{\"name\":\"x\",\"fromEmail\":\"nope\",\"subject\":\"s\",\"html\":\"h\",\"segments\":[\"a\"]}")).get("field").asText());
        assertEquals("segments", json(call("POST", "/campaigns", "{\"name\":\"x\",\"fromEmail\":\"a@example.com\",\"subject\":\"s\",\"html\":\"h\"}")).get("field").asText());
        assertEquals("variants", json(call("POST", "/campaigns", "{\"name\":\"x\",\"fromEmail\":\"a@example.com\",\"subject\":\"s\",\"html\":\"h\",\"segments\":[\"a\"],"
                + "\"variants\":[{\"id\":\"A\",\"percent\":50},{\"id\":\"B\",\"percent\":40}]}")).get("field").asText());
        assertEquals("providers", json(call("POST", "/campaigns", "{\"name\":\"x\",\"fromEmail\":\"a@example.com\",\"subject\":\"s\",\"html\":\"h\",\"segments\":[\"a\"],"
                + "\"providers\":[\"pigeon\"]}")).get("field").asText());
        assertEquals(404, call("GET", "/campaigns/cmp_doesnotexist", null).statusCode());
        assertEquals("sendAt", json(call("POST", "/campaigns/cmp_doesnotexist/send", "{\"sendAt\":\"tomorrow\"}")).get("field").asText());
    }

}
