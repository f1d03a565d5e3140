package dev.dispatch.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.UUID;

/** Postmark's documented /email/batch answer: one result per message sent, in order, ErrorCode 0 for each. */
final class PostmarkBatchAnswer implements ResponseDefinitionTransformerV2 {
    static final String NAME = "postmark-batch";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        try {
            StringBuilder body = new StringBuilder("[");
            for (JsonNode message : JSON.readTree(event.getRequest().getBodyAsString())) {
                if (body.length() > 1) {
                    body.append(',');
                }
                body.append("{\"ErrorCode\":0,\"Message\":\"OK\",\"MessageID\":\"").append(UUID.randomUUID())
                        .append("\",\"SubmittedAt\":\"2026-11-29T10:00:00Z\",\"To\":").append(JSON.writeValueAsString(message.path("To").asText()))
                        .append('}');
            }
            body.append(']');
            return new ResponseDefinition(200, body.toString());
        } catch (Exception e) {
            return new ResponseDefinition(422, "{\"ErrorCode\":402,\"Message\":\"Invalid JSON\"}");
        }
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public String getName() {
        return NAME;
    }
}
