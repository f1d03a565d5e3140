package dev.dispatch.adapter.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatch.adapter.render.MessageBodies;
import dev.dispatch.domain.message.MessageHeaders;
import dev.dispatch.domain.message.EmailProvider;
import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.message.ProviderThrottledException;
import dev.dispatch.domain.message.ProviderUnavailableException;
import dev.dispatch.domain.message.SendResult;
import dev.dispatch.domain.subscriber.EmailAddress;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Postmark's batch API, {@code POST /email/batch}: up to 500 messages a call, each with its own From, To,
 * Reply-To, subject, bodies, headers (one-click unsubscribe, X-Dispatch-*), {@code Metadata} (the correlation
 * data) and {@code Tag} (the campaign id), on a configurable message stream ("broadcast" by default). One JDK
 * {@link HttpClient} (HTTP/1.1, kept-alive connections) serves every call.
 *
 * <p>Answers: 200 carries one result per message in order; {@code ErrorCode} 0 accepts it with its
 * {@code MessageID}, any other code (300 invalid, 406 inactive recipient, ...) rejects that message with the code
 * in the detail. 429 throws {@link ProviderThrottledException} (with Retry-After when given); 401 (bad token), 422
 * (a request-level {@code ErrorCode}, e.g. 410 too many messages or 405 sending not allowed), other statuses, 5xx,
 * timeouts and refused connections throw {@link ProviderUnavailableException}: the server token never appears.
 */
public final class PostmarkProvider implements EmailProvider {
    public static final String NAME = "postmark";
    public static final URI DEFAULT_ENDPOINT = URI.create("https://api.postmarkapp.com");
    public static final String DEFAULT_MESSAGE_STREAM = "broadcast";
    public static final int MAX_BATCH_SIZE = 500;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI batchUri;
    private final String serverToken;
    private final String messageStream;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * @param endpoint scheme, host and port of the API ({@link #DEFAULT_ENDPOINT})
     * @param messageStream the message stream, null for {@link #DEFAULT_MESSAGE_STREAM}
     * @param timeout connect timeout and the longest a whole request may take (a call's own timeout may be shorter)
     */
    public PostmarkProvider(URI endpoint, String serverToken, String messageStream, Duration timeout, HttpClient http) {
        String base = endpoint.toString().endsWith("/") ? endpoint.toString() : endpoint + "/";
        this.batchUri = URI.create(base).resolve("email/batch");
        this.serverToken = Objects.requireNonNull(serverToken, "serverToken");
        this.messageStream = messageStream == null || messageStream.isBlank() ? DEFAULT_MESSAGE_STREAM : messageStream;
        this.timeout = timeout;
        this.http = http;
    }

    public PostmarkProvider(URI endpoint, String serverToken, String messageStream, Duration timeout) {
        this(endpoint, serverToken, messageStream, timeout, HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int maxBatchSize() {
        return MAX_BATCH_SIZE;
    }

    @Override
    public List<SendResult> send(List<OutgoingMessage> batch, Duration callTimeout) {
        Batches.requireSize(batch, MAX_BATCH_SIZE, NAME);
        if (batch.isEmpty()) {
            return List.of();
        }
        Duration requestTimeout = Batches.within(timeout, callTimeout);
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            return Batches.notStarted(batch);
        }
        HttpRequest request = HttpRequest.newBuilder(batchUri)
                .timeout(requestTimeout) // the whole exchange, connecting included
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .header("X-Postmark-Server-Token", serverToken)
                .POST(HttpRequest.BodyPublishers.ofString(body(batch), StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // A timeout waiting for the answer (not for the connection): the batch may have been accepted after all.
            boolean unanswered = e instanceof java.net.http.HttpTimeoutException
                    && !(e instanceof java.net.http.HttpConnectTimeoutException);
            throw new ProviderUnavailableException(NAME, "request failed: "
                    + Batches.shorten(e.getClass().getSimpleName() + " " + e.getMessage()), List.of(), e,
                    unanswered ? recipients(batch) : List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderUnavailableException(NAME, "interrupted", List.of(), e, recipients(batch));
        }
        int status = response.statusCode();
        if (status == 200) {
            return results(batch, response.body());
        }
        if (status == 429) {
            throw new ProviderThrottledException(NAME, "429 rate limited",
                    Batches.retryAfterSeconds(response.headers().firstValue("Retry-After").orElse(null)), List.of());
        }
        throw new ProviderUnavailableException(NAME, status + errorCode(response.body()), List.of());
    }

    private static List<SendResult> results(List<OutgoingMessage> batch, String body) {
        JsonNode answers;
        try {
            answers = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            answers = null;
        }
        if (answers == null || !answers.isArray() || answers.size() != batch.size()) {
            // Can't tell which messages went out: report the call as failed rather than guess.
            throw new ProviderUnavailableException(NAME, "unexpected batch answer for " + batch.size() + " messages",
                    List.of());
        }
        List<SendResult> results = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            EmailAddress to = batch.get(i).to();
            JsonNode answer = answers.get(i);
            int code = answer.path("ErrorCode").asInt(-1);
            String id = answer.path("MessageID").asText("");
            if (code == 0 && !id.isBlank()) {
                results.add(SendResult.accepted(to, id));
            } else {
                results.add(SendResult.rejected(to, Batches.shorten("postmark " + code + ": "
                        + answer.path("Message").asText(""))));
            }
        }
        return results;
    }

    private static String errorCode(String body) {
        try {
            JsonNode error = JSON.readTree(body == null ? "" : body);
            if (error != null && error.has("ErrorCode")) {
                return " ErrorCode " + error.path("ErrorCode").asInt() + ": " + Batches.shorten(error.path("Message").asText(""));
            }
        } catch (JsonProcessingException e) {
            // not JSON: the status says enough
        }
        return "";
    }

    private String body(List<OutgoingMessage> batch) {
        ArrayNode messages = JSON.createArrayNode();
        for (OutgoingMessage message : batch) {
            ObjectNode json = messages.addObject();
            json.put("From", mailbox(message.from(), message.fromName()));
            json.put("To", mailbox(message.to(), message.toName()));
            if (message.replyTo() != null) {
                json.put("ReplyTo", message.replyTo().value());
            }
            json.put("Subject", message.subject());
            String html = MessageBodies.html(message);
            if (html != null) {
                json.put("HtmlBody", html);
            }
            json.put("TextBody", MessageBodies.text(message));
            ArrayNode headers = json.putArray("Headers");
            for (Map.Entry<String, String> header : MessageHeaders.of(message).entrySet()) {
                headers.addObject().put("Name", header.getKey()).put("Value", header.getValue());
            }
            ObjectNode metadata = json.putObject("Metadata");
            message.correlation().forEach(metadata::put);
            json.put("Tag", message.campaignId());
            json.put("MessageStream", messageStream);
        }
        try {
            return JSON.writeValueAsString(messages);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code "Display Name" <address>}, the name quoted and escaped so punctuation can't break the address. */
    static String mailbox(EmailAddress address, String name) {
        if (name == null) {
            return address.value();
        }
        String escaped = name.replace("\\", "\\\\").replace("\"", "\\\"");
        return "\"" + escaped + "\" <" + address.value() + ">";
    }

    private static List<dev.dispatch.domain.subscriber.EmailAddress> recipients(List<OutgoingMessage> batch) {
        return batch.stream().map(OutgoingMessage::to).toList();
    }
}
