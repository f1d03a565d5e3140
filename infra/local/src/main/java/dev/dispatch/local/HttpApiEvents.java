package dev.dispatch.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * API Gateway HTTP API payload format 2.0: the event a request becomes, and how the function's answer becomes the
 * HTTP response.
 */
public final class HttpApiEvents {
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private HttpApiEvents() {
    }

    /**
     * An HTTP request as the gateway received it.
     *
     * @param headers header names as sent, each with its values in order
     */
    public record Request(String method, String rawPath, String rawQueryString, String protocol,
            Map<String, List<String>> headers, byte[] body, String sourceIp, long timeEpochMs, String requestId) {
        public Request {
            rawQueryString = rawQueryString == null ? "" : rawQueryString;
            protocol = protocol == null ? "HTTP/1.1" : protocol;
            body = body == null ? new byte[0] : body;
            headers = headers == null ? Map.of() : headers;
        }
    }

    /** The HTTP response to send: status, headers (a name may repeat) and body bytes. */
    public record Response(int statusCode, List<Map.Entry<String, String>> headers, byte[] body) {
        public String header(String name) {
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    return h.getValue();
                }
            }
            return null;
        }

        public List<String> headerValues(String name) {
            List<String> out = new ArrayList<>();
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    out.add(h.getValue());
                }
            }
            return out;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** The v2 event for {@code request} matched to {@code match}. */
    public static ObjectNode event(Request request, HttpApiRouter.Match match, String accountId, String apiId) {
        ObjectNode event = Json.object();
        event.put("version", "2.0");
        String routeKey = match.route().routeKey();
        event.put("routeKey", routeKey);
        event.put("rawPath", request.rawPath());
        event.put("rawQueryString", request.rawQueryString());

        Map<String, String> headers = new LinkedHashMap<>();
        List<String> cookies = new ArrayList<>();
        request.headers().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("cookie")) {
                for (String value : values) {
                    for (String cookie : value.split(";")) {
                        if (!cookie.isBlank()) {
                            cookies.add(cookie.trim());
                        }
                    }
                }
                return;
            }
            String joined = String.join(",", values);
            headers.merge(lower, joined, (a, b) -> a + "," + b);
        });
        headers.putIfAbsent("x-forwarded-for", request.sourceIp());
        headers.putIfAbsent("x-forwarded-proto", "http");
        String host = headers.getOrDefault("host", "localhost");
        int colon = host.lastIndexOf(':');
        String domainName = colon > 0 && !host.endsWith("]") ? host.substring(0, colon) : host;
        headers.putIfAbsent("x-forwarded-port", colon > 0 ? host.substring(colon + 1) : "80");
        headers.putIfAbsent("x-amzn-trace-id", "Root=1-" + Long.toHexString(request.timeEpochMs() / 1000) + "-"
                + request.requestId().replaceAll("[^0-9a-fA-F]", "").toLowerCase(Locale.ROOT));
        if (!cookies.isEmpty()) {
            ArrayNode array = event.putArray("cookies");
            cookies.forEach(array::add);
        }
        ObjectNode headerNode = event.putObject("headers");
        headers.forEach(headerNode::put);

        Map<String, String> query = queryParameters(request.rawQueryString());
        if (!query.isEmpty()) {
            ObjectNode q = event.putObject("queryStringParameters");
            query.forEach(q::put);
        }

        ObjectNode context = event.putObject("requestContext");
        context.put("accountId", accountId);
        context.put("apiId", apiId);
        context.put("domainName", domainName);
        int dot = domainName.indexOf('.');
        context.put("domainPrefix", dot > 0 ? domainName.substring(0, dot) : domainName);
        ObjectNode http = context.putObject("http");
        http.put("method", request.method().toUpperCase(Locale.ROOT));
        http.put("path", request.rawPath());
        http.put("protocol", request.protocol());
        http.put("sourceIp", request.sourceIp());
        http.put("userAgent", headers.getOrDefault("user-agent", ""));
        context.put("requestId", request.requestId());
        context.put("routeKey", routeKey);
        context.put("stage", "$default");
        context.put("time", REQUEST_TIME.format(Instant.ofEpochMilli(request.timeEpochMs())));
        context.put("timeEpoch", request.timeEpochMs());

        if (!match.pathParameters().isEmpty()) {
            ObjectNode p = event.putObject("pathParameters");
            match.pathParameters().forEach(p::put);
        }
        boolean base64 = false;
        if (request.body().length > 0) {
            if (isText(headers.get("content-type"))) {
                event.put("body", new String(request.body(), StandardCharsets.UTF_8));
            } else {
                event.put("body", Base64.getEncoder().encodeToString(request.body()));
                base64 = true;
            }
        }
        event.put("isBase64Encoded", base64);
        return event;
    }

    /** Repeated parameters are joined with ',' as API Gateway does; names and values are URL-decoded. */
    static Map<String, String> queryParameters(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decodeQuery(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decodeQuery(pair.substring(eq + 1));
            out.merge(name, value, (a, b) -> a + "," + b);
        }
        return out;
    }

    private static String decodeQuery(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** Bodies of these types reach the function as text; everything else (and no type) base64-encoded. */
    static boolean isText(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.startsWith("text/")
                || type.equals("application/json") || type.endsWith("+json")
                || type.equals("application/x-www-form-urlencoded")
                || type.equals("application/xml") || type.endsWith("+xml")
                || type.equals("application/javascript");
    }

    /**
     * The HTTP response for a function's answer. A JSON object with {@code statusCode} is a structured response;
     * any other valid JSON is returned as the body with status 200 and {@code content-type: application/json};
     * anything else is an integration failure (500).
     */
    public static Response response(byte[] payload, String requestId) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(payload);
        } catch (IOException e) {
            return error(500, "Internal Server Error", requestId);
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        if (node == null || node.isMissingNode()) {
            return error(500, "Internal Server Error", requestId);
        }
        if (!node.isObject() || !node.has("statusCode")) {
            headers.add(Map.entry("content-type", "application/json"));
            headers.add(Map.entry("apigw-requestid", requestId));
            return new Response(200, headers, payload);
        }
        int status;
        try {
            status = node.get("statusCode").isNumber() ? node.get("statusCode").asInt()
                    : Integer.parseInt(node.get("statusCode").asText().trim());
        } catch (NumberFormatException e) {
            return error(500, "Internal Server Error", requestId);
        }
        if (status < 100 || status > 599) {
            return error(500, "Internal Server Error", requestId);
        }
        Map<String, List<String>> merged = new LinkedHashMap<>();
        JsonNode single = node.get("headers");
        if (single != null && single.isObject()) {
            single.fields().forEachRemaining(e -> {
                if (!e.getValue().isNull()) {
                    merged.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                            .add(e.getValue().asText());
                }
            });
        }
        JsonNode multi = node.get("multiValueHeaders");
        if (multi != null && multi.isObject()) {
            multi.fields().forEachRemaining(e -> {
                String name = e.getKey().toLowerCase(Locale.ROOT);
                if (merged.containsKey(name) || !e.getValue().isArray()) {
                    return; // a name in both maps: the single-value one wins
                }
                List<String> values = merged.computeIfAbsent(name, k -> new ArrayList<>());
                e.getValue().forEach(v -> values.add(v.asText()));
            });
        }
        merged.forEach((name, values) -> values.forEach(v -> headers.add(Map.entry(name, v))));
        JsonNode cookies = node.get("cookies");
        if (cookies != null && cookies.isArray()) {
            cookies.forEach(c -> headers.add(Map.entry("set-cookie", c.asText())));
        }
        headers.add(Map.entry("apigw-requestid", requestId));
        byte[] body = new byte[0];
        JsonNode bodyNode = node.get("body");
        if (bodyNode != null && !bodyNode.isNull()) {
            String text = bodyNode.isTextual() ? bodyNode.asText() : bodyNode.toString();
            JsonNode b64 = node.get("isBase64Encoded");
            if (b64 != null && b64.asBoolean(false)) {
                try {
                    body = Base64.getMimeDecoder().decode(text);
                } catch (IllegalArgumentException e) {
                    return error(500, "Internal Server Error", requestId);
                }
            } else {
                body = text.getBytes(StandardCharsets.UTF_8);
            }
        }
        return new Response(status, headers, body);
    }

    /** API Gateway's own error answer, e.g. 404 {@code {"message":"Not Found"}}. */
    public static Response error(int status, String message, String requestId) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(Map.entry("content-type", "application/json"));
        headers.add(Map.entry("apigw-requestid", requestId));
        return new Response(status, headers,
                ("{\"message\":" + Json.quote(message) + "}").getBytes(StandardCharsets.UTF_8));
    }
}
