package dev.dispatch.local.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.emulators.ProjectLayout;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every sample event in events/ goes through its function's real handler, as `sam local invoke` would send it. */
@ExtendWith(LocalCloudExtension.class)
class EventFixturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode invoke(LocalCloud cloud, String function, String file) throws Exception {
        String event = Files.readString(ProjectLayout.root().resolve(Path.of("events", file)))
                .replace("${API_KEY}", cloud.devApiKey());
        byte[] answer = cloud.function(function).invoke(event.getBytes(StandardCharsets.UTF_8));
        return JSON.readTree(answer);
    }

    private static int status(JsonNode httpAnswer) {
        return httpAnswer.get("statusCode").asInt();
    }

    private static JsonNode body(JsonNode httpAnswer) throws Exception {
        return JSON.readTree(httpAnswer.get("body").asText());
    }

    @Test
    void givenTheApiFixtures_whenInvokedInOrder_thenEachAnswersAsDocumented(LocalCloud cloud) throws Exception {
        assertEquals(200, status(invoke(cloud, "ApiFunction", "api-health.json")));
        assertEquals(401, status(invoke(cloud, "ApiFunction", "api-add-subscriber-no-key.json")));
        JsonNode invalid = invoke(cloud, "ApiFunction", "api-add-subscriber-invalid-email.json");
        assertEquals(400, status(invalid));
        assertEquals("email", body(invalid).get("field").asText());

        JsonNode added = invoke(cloud, "ApiFunction", "api-add-subscriber.json");
        assertEquals(201, status(added), added.toString());
        assertEquals(409, status(invoke(cloud, "ApiFunction", "api-add-subscriber.json")));
        JsonNode read = invoke(cloud, "ApiFunction", "api-get-subscriber.json");
        assertEquals(200, status(read));
        assertEquals("Ada", body(read).get("firstName").asText());
        assertEquals("King", body(invoke(cloud, "ApiFunction", "api-update-subscriber.json")).get("lastName").asText());

        JsonNode imported = invoke(cloud, "ApiFunction", "api-bulk-import-csv.json");
        assertEquals(200, status(imported), imported.toString());
        assertEquals(1, body(imported).get("created").asInt());
        assertEquals(3, body(imported).get("rejected").get(0).get("row").asInt());

        JsonNode page = invoke(cloud, "ApiFunction", "api-segment-page.json");
        assertEquals(200, status(page));
        assertTrue(body(page).get("subscribers").size() >= 2);
        assertEquals(200, status(invoke(cloud, "ApiFunction", "api-stats.json")));
        JsonNode checked = invoke(cloud, "ApiFunction", "api-content-check.json");
        assertEquals(200, status(checked), checked.toString());
        assertEquals("refused", body(checked).get("verdict").asText(), checked.toString());
        JsonNode systemStatus = invoke(cloud, "ApiFunction", "api-system-status.json");
        assertEquals(200, status(systemStatus), systemStatus.toString());
        assertEquals(6, body(systemStatus).get("queues").size(), systemStatus.toString());
        assertTrue(body(systemStatus).get("providers").has("ses"), systemStatus.toString());
        assertEquals("unsubscribed", body(invoke(cloud, "ApiFunction", "api-unsubscribe.json")).get("status").asText());

        JsonNode tracked = invoke(cloud, "ApiFunction", "api-track-engagement.json");
        assertEquals(202, status(tracked), tracked.toString());
        assertEquals(2, body(tracked).get("accepted").asInt());
        JsonNode history = null;
        for (int i = 0; i < 120; i++) { // applied through the queue within seconds
            history = invoke(cloud, "ApiFunction", "api-subscriber-history.json");
            if (body(history).get("events").size() == 2) {
                break;
            }
            Thread.sleep(250);
        }
        assertEquals(200, status(history), history.toString());
        assertEquals(2, body(history).get("events").size(), history.toString());
        assertEquals("opened", body(history).get("events").get(0).get("type").asText(), "newest first");
        JsonNode trends = invoke(cloud, "ApiFunction", "api-trends.json");
        assertEquals(200, status(trends), trends.toString());
        assertEquals(7, body(trends).get("days").size());
    }

    @Test
    void givenTheQueueFixtures_thenAnUnknownCampaignIsAcknowledgedAndAnUnknownBatchIsRetried(LocalCloud cloud) throws Exception {
        // A wake-up for a campaign that doesn't exist has nothing to do; a batch without its ledger entry is an
        // error that must stay on the queue (and end in the DLQ), never be dropped as sent.
        assertEquals(0, invoke(cloud, "EnqueueCampaignFunction", "enqueue-campaign-sqs.json").path("batchItemFailures").size());
        assertEquals("059f36b4-87a3-44ab-83d2-661975830a7d",
                invoke(cloud, "SendBatchFunction", "send-batch-sqs.json").get("batchItemFailures").get(0).get("itemIdentifier").asText());
    }

    @Test
    void givenTheEngagementFixture_thenItsEventsAreAppliedAndARepeatIsADuplicate(LocalCloud cloud) throws Exception {
        // Its campaign doesn't exist: the events land in the history and the provider's stats, not in any campaign.
        // (Provider "track" on 2026-11-30: apart from the day and providers whose counters WebhooksTest checks.)
        assertEquals(0, invoke(cloud, "ApplyEngagementFunction", "apply-engagement-sqs.json").path("batchItemFailures").size());
        assertEquals(0, invoke(cloud, "ApplyEngagementFunction", "apply-engagement-sqs.json").path("batchItemFailures").size());
        var aws = cloud.localAws();
        var history = aws.dynamoDb().query(b -> b.tableName(aws.resources().tableName("EngagementTable"))
                .keyConditionExpression("pk = :pk").consistentRead(true)
                .expressionAttributeValues(Map.of(":pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue
                        .fromS("sub#fixture.apply@example.com")))).items();
        assertEquals(3, history.stream().filter(i -> i.get("sk").s().startsWith("evt#")).count(), history.toString());
        assertTrue(history.stream().filter(i -> i.get("sk").s().startsWith("evt#")).allMatch(i -> "applied".equals(i.get("state").s())));
        var state = history.stream().filter(i -> i.get("sk").s().equals("state")).findFirst().orElseThrow();
        assertEquals("1", state.get("opens").n(), "applied once though delivered twice");
        assertEquals("1", state.get("clicks").n());
    }

    @Test
    void givenTheSignedSendGridFixture_thenTheWebhookVerifiesAndQueuesItsEvent(LocalCloud cloud) throws Exception {
        // Signed with the test-only key the test cloud trusts, 30 s before the test cloud's verification clock; its
        // event happened the day before the webhook fixtures' day, so it never moves the counters WebhooksTest checks.
        JsonNode answer = invoke(cloud, "ProcessWebhookFunction", "process-webhook-sendgrid.json");
        assertEquals(200, status(answer), answer.toString());
        assertEquals(1, body(answer).get("received").asInt(), answer.toString());
    }

    @Test
    void givenTheReportFixtures_thenReportsAnswerBehindTheKeyAndTheDashboardOpensWithIt(LocalCloud cloud) throws Exception {
        assertEquals(401, status(invoke(cloud, "ReportFunction", "report-campaign-no-key.json")));
        JsonNode providers = invoke(cloud, "ReportFunction", "report-providers.json");
        assertEquals(200, status(providers), providers.toString());
        assertEquals("providers", body(providers).get("report").asText());
        assertEquals("2026-11-23", body(providers).get("from").asText());
        JsonNode trends = invoke(cloud, "ReportFunction", "report-trends-csv.json");
        assertEquals(200, status(trends), trends.toString());
        String csv = trends.get("body").asText();
        assertTrue(csv.startsWith("day,kind,sent,low,high\r\n2026-11-01,actual,"), csv);
        assertEquals(29 + 7 + 1, csv.split("\r\n").length, csv); // header, 29 days, 7 forecast days
        JsonNode dashboard = invoke(cloud, "ReportFunction", "report-dashboard.json");
        assertEquals(200, status(dashboard), dashboard.toString());
        assertTrue(dashboard.get("body").asText().contains("id=\"dashboard\""), dashboard.toString());
    }

    @Test
    void givenTheProviderFixtures_whenInvoked_thenTheyListProvidersAndRecordAnOverride(LocalCloud cloud) throws Exception {
        JsonNode list = invoke(cloud, "ApiFunction", "api-system-providers.json");
        assertEquals(200, status(list), list.toString());
        assertEquals(3, body(list).get("providers").size(), list.toString());
        JsonNode put = invoke(cloud, "ApiFunction", "api-override-provider.json");
        assertEquals(200, status(put), put.toString());
        assertEquals(50, body(put).get("weight").asInt(), put.toString());
        assertTrue(body(put).get("override").get("by").asText().startsWith("key-"), put.toString());
    }

    @Test
    void givenTheWarmingFixtures_thenTheTickAndTheApiAnswerWithTheShippedDisabledPlans(LocalCloud cloud) throws Exception {
        JsonNode tick = invoke(cloud, "WarmingTickFunction", "warming-tick-schedule.json");
        assertEquals("ticked", tick.get("status").asText(), tick.toString());
        assertEquals(0, tick.get("plans").asInt(), "the shipped plans are disabled");
        assertEquals(0, tick.get("decisions").size());
        JsonNode plans = invoke(cloud, "ApiFunction", "api-system-warming.json");
        assertEquals(200, status(plans), plans.toString());
        assertEquals("disabled", body(plans).get("plans").get(0).get("state").asText());
        JsonNode pause = invoke(cloud, "ApiFunction", "api-warming-pause.json");
        assertEquals(409, status(pause), "a disabled plan cannot be paused: " + pause);
    }
}
