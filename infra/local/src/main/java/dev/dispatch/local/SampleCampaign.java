package dev.dispatch.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/**
 * The run command's demonstration of the main job: imports sample subscribers through the API, creates an A/B
 * campaign for them and sends it through the local SES, then says where to look. Everything goes through the
 * public HTTP API with the dev key, exactly as a user's curl would.
 */
final class SampleCampaign {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private SampleCampaign() {}

    static String run(LocalCloud cloud) {
        StringBuilder csv = new StringBuilder("email,firstName,lastName,segments,plan,city\n");
        String[] names = {"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Radia", "Tim"};
        for (int i = 0; i < 24; i++) {
            String first = i % 4 == 3 ? "" : names[i % names.length];
            csv.append("sample").append(i + 1).append("@example.com,").append(first).append(",Sample,newsletter")
                    .append(i % 5 == 0 ? ";vip" : "").append(',').append(i % 3 == 0 ? "pro" : "free").append(",London\n");
        }
        JsonNode imported = call(cloud, "POST", "/subscribers/bulk-import", "text/csv", csv.toString());
        call(cloud, "DELETE", "/subscribers/sample24%40example.com", null, null); // one who left: never mailed
        var campaign = JSON.createObjectNode()
                .put("name", "Sample newsletter")
                .put("fromEmail", "news@example.com")
                .put("fromName", "Dispatch Sample")
                .put("subject", "Hello {{default firstName \"there\"}}, here is your November update")
                .put("preheader", "What is new this month")
                .put("html", "<h1>Hi {{default firstName \"there\"}}!</h1>{{#if plan}}<p>Thanks for being on the {{plan}} plan."
                        + "</p>{{/if}}<p>Here is what is new.</p><p><a href=\"{{unsubscribeUrl}}\">Unsubscribe</a></p>");
        campaign.putArray("segments").add("newsletter");
        campaign.putArray("providers").add("ses");
        var variants = campaign.putArray("variants");
        variants.addObject().put("id", "A").put("percent", 50);
        variants.addObject().put("id", "B").put("percent", 50)
                .put("subject", "{{default firstName \"Friend\"}}, your November update is here");
        String id = call(cloud, "POST", "/campaigns", "application/json", campaign.toString()).get("id").asText();
        call(cloud, "POST", "/campaigns/" + id + "/send", "application/json", "{}");
        JsonNode state = null;
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            state = call(cloud, "GET", "/campaigns/" + id, null, null);
            if ("sent".equals(state.get("status").asText())) {
                break;
            }
            sleep();
        }
        String status = state == null ? "unknown" : state.get("status").asText();
        return "Sample data: imported " + imported.get("created").asInt() + " subscribers into segment 'newsletter' "
                + "(one of them then unsubscribed) and sent campaign " + id + " (A/B subjects) through the local SES: "
                + status + ".\n"
                + "  Sent mail:   " + cloud.localAws().sesEndpoint() + "  (aws-ses-v2-local's viewer)\n"
                + "  Progress:    curl -s " + cloud.apiUrl() + "/campaigns/" + id + " -H 'Authorization: Bearer " + cloud.devApiKey() + "'\n"
                + "  Stats:       curl -s " + cloud.apiUrl() + "/campaigns/" + id + "/stats -H 'Authorization: Bearer " + cloud.devApiKey() + "'\n";
    }

    private static JsonNode call(LocalCloud cloud, String method, String path, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(cloud.apiUrl() + path))
                .timeout(Duration.ofSeconds(35))
                .header("Authorization", "Bearer " + cloud.devApiKey());
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
