package dev.dispatch.local.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatch.emulators.ProjectLayout;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudExtension;
import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Body limits hold when the body arrives without a Content-Length: a chunked HTTP request through the local HTTP
 * API (which, like API Gateway, buffers it into the payload-v2 event, passing the request's headers on), and the
 * Lambda event itself with no length header at all. Every oversized body is refused with 413 and writes nothing.
 */
@ExtendWith(LocalCloudExtension.class)
class ChunkedBodiesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    /** A chunked request: the JDK client sends Transfer-Encoding: chunked for a body of unknown length. */
    private static HttpRequest.BodyPublisher chunked(byte[] body) {
        return HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
    }

    /** Valid JSON of about {@code size} bytes: whitespace is padding any parser skips, so only the size is wrong. */
    private static String padded(String open, String rest, int size) {
        return open + " ".repeat(Math.max(0, size - open.length() - rest.length())) + rest;
    }

    private HttpResponse<String> postChunked(String path, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder request = LocalCloudExtension.request(path)
                .header("Authorization", "Bearer " + LocalCloudExtension.devApiKey())
                .header("Content-Type", contentType);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return LocalCloudExtension.send(request.POST(chunked(body)).build());
    }

    @Test
    void givenAChunkedJsonBodyOverTheApisLimit_then413_andNothingIsWritten() {
        String email = "chunked-" + run + "@example.com";
        String body = padded("{\"email\":\"" + email + "\",", "\"firstName\":\"Kim\"}", 300 * 1024);
        HttpResponse<String> response = postChunked("/subscribers", "application/json", body.getBytes(StandardCharsets.UTF_8));
        assertEquals(413, response.statusCode(), response.body());
        assertEquals("body", LocalCloudExtension.json(response).path("field").asText(), response.body());
        assertEquals(404, LocalCloudExtension.call("GET", "/subscribers/" + URLEncoder.encode(email, StandardCharsets.UTF_8),
                null).statusCode(), "the oversized subscriber must not have been written");

        // the same request within the limit is taken: the limit is what refused it, not the chunking
        String small = "{\"email\":\"" + email + "\",\"firstName\":\"Kim\"}";
        assertEquals(201, postChunked("/subscribers", "application/json", small.getBytes(StandardCharsets.UTF_8)).statusCode());
    }

    @Test
    void givenAChunkedImportOrTrackBodyOverItsLimit_then413() {
        String header = "email,firstName\n";
        StringBuilder csv = new StringBuilder(header);
        while (csv.length() <= 5 * 1024 * 1024 + 10) {
            csv.append("import-").append(run).append('-').append(csv.length()).append("@example.com,").append("x".repeat(200)).append('\n');
        }
        HttpResponse<String> imported = postChunked("/subscribers/bulk-import", "text/csv", csv.toString().getBytes(StandardCharsets.UTF_8));
        assertEquals(413, imported.statusCode(), imported.body());

        String track = padded("[", "]", 1024 * 1024 + 1);
        HttpResponse<String> tracked = postChunked("/engagement/track", "application/json", track.getBytes(StandardCharsets.UTF_8));
        assertEquals(413, tracked.statusCode(), tracked.body());
    }

    @Test
    void givenAChunkedWebhookOverOneMebibyte_then413_evenWhenProperlySigned() throws Exception {
        String event = "{\"id\":\"chunked-" + run + "\",\"type\":\"delivered\",\"email\":\"chunked-" + run
                + "@example.com\",\"timestamp\":\"2026-11-15T10:00:00Z\"}";
        String body = padded("[" + event, "]", 1024 * 1024 + 1);
        long t = LocalCloudExtension.WEBHOOK_VERIFY_AT.getEpochSecond();
        HttpResponse<String> response = postChunked("/webhooks/generic", "application/json",
                body.getBytes(StandardCharsets.UTF_8), "X-Dispatch-Signature", signature(t, body));
        assertEquals(413, response.statusCode(), response.body());
    }

    @Test
    void givenTheLambdaEventWithoutAnyLengthHeader_thenTheFunctionsStillRefuseOversizedBodies(LocalCloud cloud)
            throws Exception {
        String email = "lengthless-" + run + "@example.com";
        String body = padded("{\"email\":\"" + email + "\",", "\"firstName\":\"Kim\"}", 300 * 1024);
        ObjectNode event = (ObjectNode) JSON.readTree(ProjectLayout.root().resolve("events/api-add-subscriber.json").toFile());
        ObjectNode headers = (ObjectNode) event.get("headers");
        headers.remove("content-length");
        headers.put("transfer-encoding", "chunked");
        headers.put("authorization", "Bearer " + LocalCloudExtension.devApiKey());
        event.put("body", body);
        event.put("isBase64Encoded", false);
        JsonNode answer = JSON.readTree(cloud.function("ApiFunction").invoke(JSON.writeValueAsBytes(event)));
        assertEquals(413, answer.get("statusCode").asInt(), answer.toString());

        ObjectNode hook = (ObjectNode) JSON.readTree(ProjectLayout.root().resolve("events/webhook-generic-events.json").toFile());
        ObjectNode hookHeaders = (ObjectNode) hook.get("headers");
        hookHeaders.remove("content-length");
        String large = padded("[", "]", 1024 * 1024 + 1);
        hookHeaders.put("x-dispatch-signature", signature(LocalCloudExtension.WEBHOOK_VERIFY_AT.getEpochSecond(), large));
        hook.put("body", large);
        hook.put("isBase64Encoded", false);
        JsonNode hookAnswer = JSON.readTree(cloud.function("ProcessWebhookFunction").invoke(JSON.writeValueAsBytes(hook)));
        assertEquals(413, hookAnswer.get("statusCode").asInt(), hookAnswer.toString());
        assertFalse(hookAnswer.get("body").asText().isEmpty());
        assertTrue(hookAnswer.get("body").asText().contains("error"), hookAnswer.toString());
    }

    private static String signature(long t, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(LocalCloudExtension.WEBHOOK_GENERIC_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
    }
}
