package dev.dispatch.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpApiEventsTest {
    private final HttpApiRouter router = new HttpApiRouter().add("GET", "/subscribers/{email}", "get")
            .add("POST", "/upload/{name}", "upload");

    private JsonNode event(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
        HttpApiEvents.Request request = new HttpApiEvents.Request(method, path, query, "HTTP/1.1", headers, body,
                "127.0.0.1", 1_700_000_000_000L, "req-1");
        return HttpApiEvents.event(request, router.match(method, path).orElseThrow(), "000000000000", "abc123");
    }

    @Test
    void buildsAVersion2EventWithDecodedPathParametersAndJoinedRepeats() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Host", List.of("localhost:3000"));
        headers.put("User-Agent", List.of("test/1"));
        headers.put("X-Multi", List.of("a", "b"));
        headers.put("Cookie", List.of("s=1; t=2"));
        JsonNode e = event("GET", "/subscribers/ada%40example.com", "a=1&b=x%20y&a=2&flag", headers, null);

        assertEquals("2.0", e.path("version").asText());
        assertEquals("GET /subscribers/{email}", e.path("routeKey").asText());
        assertEquals("/subscribers/ada%40example.com", e.path("rawPath").asText());
        assertEquals("a=1&b=x%20y&a=2&flag", e.path("rawQueryString").asText());
        assertEquals("ada@example.com", e.path("pathParameters").path("email").asText());
        assertEquals("1,2", e.path("queryStringParameters").path("a").asText());
        assertEquals("x y", e.path("queryStringParameters").path("b").asText());
        assertEquals("", e.path("queryStringParameters").path("flag").asText());
        assertEquals("a,b", e.path("headers").path("x-multi").asText());
        assertEquals("test/1", e.path("headers").path("user-agent").asText());
        assertFalse(e.path("headers").has("cookie"), "cookies move to the cookies array");
        assertEquals(List.of("s=1", "t=2"), List.of(e.path("cookies").get(0).asText(), e.path("cookies").get(1).asText()));

        JsonNode ctx = e.path("requestContext");
        assertEquals("000000000000", ctx.path("accountId").asText());
        assertEquals("abc123", ctx.path("apiId").asText());
        assertEquals("localhost", ctx.path("domainName").asText());
        assertEquals("GET", ctx.path("http").path("method").asText());
        assertEquals("/subscribers/ada%40example.com", ctx.path("http").path("path").asText());
        assertEquals("HTTP/1.1", ctx.path("http").path("protocol").asText());
        assertEquals("127.0.0.1", ctx.path("http").path("sourceIp").asText());
        assertEquals("test/1", ctx.path("http").path("userAgent").asText());
        assertEquals("req-1", ctx.path("requestId").asText());
        assertEquals("GET /subscribers/{email}", ctx.path("routeKey").asText());
        assertEquals("$default", ctx.path("stage").asText());
        assertEquals("14/Nov/2023:22:13:20 +0000", ctx.path("time").asText());
        assertEquals(1_700_000_000_000L, ctx.path("timeEpoch").asLong());
        assertFalse(e.has("body"));
        assertFalse(e.path("isBase64Encoded").asBoolean());
    }

    @Test
    void binaryBodiesAreBase64AndTextBodiesAreNot() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2};
        JsonNode binary = event("POST", "/upload/pic", "", Map.of("Content-Type", List.of("image/png")), png);
        assertTrue(binary.path("isBase64Encoded").asBoolean());
        assertEquals(Base64.getEncoder().encodeToString(png), binary.path("body").asText());
        assertTrue(binary.path("queryStringParameters").isMissingNode());

        byte[] json = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        JsonNode text = event("POST", "/upload/doc", "", Map.of("Content-Type", List.of("application/json; charset=utf-8")),
                json);
        assertFalse(text.path("isBase64Encoded").asBoolean());
        assertEquals("{\"a\":1}", text.path("body").asText());

        JsonNode form = event("POST", "/upload/f", "", Map.of("content-type", List.of("application/x-www-form-urlencoded")),
                "a=1".getBytes(StandardCharsets.UTF_8));
        assertEquals("a=1", form.path("body").asText());
        assertTrue(HttpApiEvents.isText("text/csv"));
        assertTrue(HttpApiEvents.isText("application/problem+json"));
        assertTrue(HttpApiEvents.isText("application/xml"));
        assertFalse(HttpApiEvents.isText("multipart/form-data; boundary=x"));
        assertFalse(HttpApiEvents.isText(null));
    }

    @Test
    void mapsAStructuredResponse() {
        String answer = "{\"statusCode\":201,\"headers\":{\"Content-Type\":\"text/plain\",\"X-A\":\"1\"},"
                + "\"multiValueHeaders\":{\"X-B\":[\"2\",\"3\"],\"X-A\":[\"ignored\"]},\"cookies\":[\"a=1\",\"b=2\"],"
                + "\"body\":\"" + Base64.getEncoder().encodeToString("hi".getBytes(StandardCharsets.UTF_8))
                + "\",\"isBase64Encoded\":true}";
        HttpApiEvents.Response r = HttpApiEvents.response(answer.getBytes(StandardCharsets.UTF_8), "rid");
        assertEquals(201, r.statusCode());
        assertEquals("hi", r.bodyText());
        assertEquals("text/plain", r.header("content-type"));
        assertEquals(List.of("1"), r.headerValues("x-a"));
        assertEquals(List.of("2", "3"), r.headerValues("x-b"));
        assertEquals(List.of("a=1", "b=2"), r.headerValues("set-cookie"));
        assertEquals("rid", r.header("apigw-requestid"));
    }

    @Test
    void anyOtherJsonIsA200BodyAndInvalidJsonIsA500() {
        HttpApiEvents.Response plain = HttpApiEvents.response("{\"ok\":true}".getBytes(StandardCharsets.UTF_8), "r");
        assertEquals(200, plain.statusCode());
        assertEquals("{\"ok\":true}", plain.bodyText());
        assertEquals("application/json", plain.header("content-type"));
        assertEquals(500, HttpApiEvents.response("not json".getBytes(StandardCharsets.UTF_8), "r").statusCode());
        assertEquals("{\"message\":\"Internal Server Error\"}",
                HttpApiEvents.response("not json".getBytes(StandardCharsets.UTF_8), "r").bodyText());
        HttpApiEvents.Response noBody = HttpApiEvents.response("{\"statusCode\":204}".getBytes(StandardCharsets.UTF_8), "r");
        assertEquals(204, noBody.statusCode());
        assertEquals(0, noBody.body().length);
        assertNull(noBody.header("content-type"));
    }
}
