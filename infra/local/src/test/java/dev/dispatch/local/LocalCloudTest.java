package dev.dispatch.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dispatch.emulators.LocalAws;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The template's real functions, run from their function.zip behind the local HTTP API, SQS and schedules. */
@ExtendWith(LocalCloudExtension.class)
class LocalCloudTest {

    @Test
    void healthAnswersThroughTheGateway() {
        HttpResponse<String> r = LocalCloudExtension.get("/health");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("ok", Json.parse(r.body().getBytes(StandardCharsets.UTF_8)).path("status").asText());
        assertTrue(r.headers().firstValue("apigw-requestid").isPresent());
    }

    @Test
    void unknownRoutesAndMethodsAre404() {
        HttpResponse<String> r = LocalCloudExtension.get("/no/such/route");
        assertEquals(404, r.statusCode());
        assertEquals("{\"message\":\"Not Found\"}", r.body());
        assertEquals(404, LocalCloudExtension.postJson("/health", "{}").statusCode());
    }

    @Test
    void requestsOverTheLimitsAre413() {
        byte[] sevenMb = new byte[7 * 1024 * 1024];
        java.util.Arrays.fill(sevenMb, (byte) 'a');
        HttpResponse<String> overLambda = LocalCloudExtension.send(LocalCloudExtension.request("/webhooks/generic")
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofByteArray(sevenMb)).build());
        assertEquals(413, overLambda.statusCode());
        assertEquals("{\"message\":\"Request too long\"}", overLambda.body());

        byte[] elevenMb = new byte[11 * 1024 * 1024];
        HttpResponse<String> overGateway = LocalCloudExtension.send(LocalCloudExtension.request("/webhooks/generic")
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(elevenMb)).build());
        assertEquals(413, overGateway.statusCode());
    }

    @Test
    void scheduleFiresWarmingTick() {
        LocalCloud cloud = LocalCloudExtension.cloud();
        JsonNode answer = Json.parse(cloud.fireSchedule("WarmingTickFunction").getBytes(StandardCharsets.UTF_8));
        assertEquals("ticked", answer.path("status").asText(), answer.toString());
    }

    @Test
    void aFailingSqsMessageIsRetriedAndLandsInTheDeadLetterQueue(LocalAws aws) throws Exception {
        String queue = aws.resources().queueUrl("EnqueueQueue");
        String dlq = aws.resources().queueUrl("EnqueueDeadLetterQueue");
        String body = "{\"notACampaignId\":\"c-" + System.nanoTime() + "\"}"; // malformed: never succeeds
        aws.sqs().sendMessage(b -> b.queueUrl(queue).messageBody(body));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Message dead = null;
        while (dead == null && System.nanoTime() < deadline) {
            List<Message> got = aws.sqs().receiveMessage(b -> b.queueUrl(dlq).waitTimeSeconds(2)
                    .messageSystemAttributeNamesWithStrings("All")).messages();
            dead = got.stream().filter(m -> m.body().equals(body)).findFirst().orElse(null);
        }
        assertTrue(dead != null, "the message reached EnqueueDeadLetterQueue");
        int maxReceiveCount = 5;
        assertTrue(Integer.parseInt(dead.attributesAsStrings().getOrDefault("ApproximateReceiveCount", "0"))
                >= maxReceiveCount, "it was received maxReceiveCount times first: " + dead.attributesAsStrings());
        String left = aws.sqs().getQueueAttributes(b -> b.queueUrl(queue)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributesAsStrings()
                .get("ApproximateNumberOfMessages");
        assertEquals("0", left);
        assertTrue(LocalCloudExtension.cloud().function("EnqueueCampaignFunction").stats().invocations() >= maxReceiveCount);
    }

    @Test
    void aFunctionProcessKilledWhileIdleIsRestartedAndTheNextRequestSucceeds() throws Exception {
        LocalFunction api = LocalCloudExtension.cloud().function("ApiFunction");
        assertEquals(200, LocalCloudExtension.get("/health").statusCode());
        long pid = api.pids().get(0);
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
        Runtime.getRuntime().exec(new String[] {"kill", "-9", Long.toString(pid)}).waitFor();
        handle.onExit().get(10, TimeUnit.SECONDS);

        HttpResponse<String> r = LocalCloudExtension.get("/health");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(api.awaitReady(Duration.ofSeconds(30)));
        assertNotEquals(pid, api.pids().get(0));
    }

    @Test
    void reportsPeakRssPerFunction() {
        LocalCloud cloud = LocalCloudExtension.cloud();
        for (String id : cloud.functions().keySet()) {
            assertTrue(cloud.peakRssBytes(id) > 50L * 1024 * 1024, id + " peak RSS " + cloud.peakRssBytes(id));
        }
    }
}
