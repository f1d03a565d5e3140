package dev.dispatch.adapter.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sendgrid.Client;
import com.sendgrid.Method;
import com.sendgrid.Request;
import com.sendgrid.Response;
import com.sendgrid.SendGrid;
import dev.dispatch.adapter.render.MessageBodies;
import dev.dispatch.domain.message.MessageHeaders;
import dev.dispatch.domain.message.EmailProvider;
import dev.dispatch.domain.message.MessageContent;
import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.message.ProviderThrottledException;
import dev.dispatch.domain.message.ProviderUnavailableException;
import dev.dispatch.domain.message.SendResult;
import dev.dispatch.domain.subscriber.EmailAddress;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.http.HttpRequestInterceptor;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;

/**
 * SendGrid v3 {@code POST /v3/mail/send} through sendgrid-java, with its built-in rate-limit retry off (it sleeps
 * a fixed time and ignores the reset header; the caller backs off instead).
 *
 * <p>Batching: SendGrid's content is shared by all personalizations of a request, so recipients share a request
 * when their content is the same, or when their {@link dev.dispatch.domain.message.MergeForm} (one tagged
 * rendering plus substitutions) is verified: substituting the recipient's values into the tagged content must give
 * exactly the recipient's own content, the values must not contain the tags, and they must fit SendGrid's 10,000
 * bytes of substitutions. A request holds up to 1000 personalizations, each with its {@code to}, {@code subject},
 * {@code headers} (one-click unsubscribe, X-Dispatch-*), {@code custom_args} (the correlation data, returned on
 * every event) and {@code substitutions}. A recipient that doesn't verify (a conditional or fallback that renders
 * differently) is sent in a request of its own.
 *
 * <p>Answers: 202 accepts every recipient of the request (the X-Message-Id is their common id); 400 rejects the
 * recipients the errors name by {@code personalizations.N} (the others are sent again without them), or all of
 * them when the errors are about the shared part; 413 splits the request, down to one recipient; 429 throws
 * {@link ProviderThrottledException} with the wait until {@code X-RateLimit-Reset}; 401, 403, other 4xx, 5xx and
 * I/O failures throw {@link ProviderUnavailableException}. Exceptions carry the results of earlier requests.
 */
public final class SendGridProvider implements EmailProvider, AutoCloseable {
    public static final String NAME = "sendgrid";
    public static final URI DEFAULT_ENDPOINT = URI.create("https://api.sendgrid.com");
    public static final int MAX_PERSONALIZATIONS = 1000;
    static final int MAX_SUBSTITUTION_BYTES = 10_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PERSONALIZATION_FIELD = Pattern.compile("^personalizations\\.(\\d+)(\\..*)?$");

    /** A request is started only with this much of its call's time left. */
    static final Duration MIN_REQUEST_TIME = Duration.ofSeconds(1);
    /** The deadline (System.nanoTime) of the call this thread is making, for the request interceptor. */
    private static final ThreadLocal<Long> REQUEST_DEADLINE = new ThreadLocal<>();

    private final SendGrid sendGrid;
    private final CloseableHttpClient http;
    private final Clock clock;

    /**
     * @param endpoint scheme, host and port of the API ({@link #DEFAULT_ENDPOINT}; http only for local stubs)
     * @param timeout connect and read timeout of one request
     */
    public SendGridProvider(String apiKey, URI endpoint, Duration timeout, Clock clock) {
        Objects.requireNonNull(apiKey, "apiKey");
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        RequestConfig defaults = RequestConfig.custom().setConnectTimeout(millis).setSocketTimeout(millis)
                .setConnectionRequestTimeout(millis).build();
        this.http = HttpClients.custom()
                .setDefaultRequestConfig(defaults)
                // sendgrid-java offers no per-request settings: a request of a call with a deadline gets its connect
                // and read timeouts cut to what is left (the client reads the config after the interceptors ran).
                .addInterceptorLast((HttpRequestInterceptor) (request, context) -> {
                    Long deadline = REQUEST_DEADLINE.get();
                    if (deadline != null) {
                        int left = (int) Math.max(1, Math.min(millis,
                                TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                        HttpClientContext.adapt(context).setRequestConfig(RequestConfig.copy(defaults)
                                .setConnectTimeout(left).setSocketTimeout(left).build());
                    }
                })
                .setMaxConnPerRoute(32)
                .setMaxConnTotal(32)
                .disableAutomaticRetries() // a POST that may have arrived is never re-sent behind our back
                .build();
        boolean plainHttp = "http".equalsIgnoreCase(endpoint.getScheme());
        this.sendGrid = new SendGrid(apiKey, new Client(http, plainHttp));
        this.sendGrid.setHost(endpoint.getPort() < 0 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort());
        this.sendGrid.setRateLimitRetry(0);
        this.sendGrid.setRateLimitSleep(0);
        this.clock = clock;
    }

    public SendGridProvider(String apiKey, URI endpoint, Duration timeout) {
        this(apiKey, endpoint, timeout, Clock.systemUTC());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int maxBatchSize() {
        return MAX_PERSONALIZATIONS;
    }

    /**
     * The requests of the call go out one after the other, each with at most what is left of {@code callTimeout}
     * as its connect and read timeout; a request is not started with less than {@link #MIN_REQUEST_TIME} left,
     * and its recipients come back not sent ({@code FAILED_RETRYABLE}).
     */
    @Override
    public List<SendResult> send(List<OutgoingMessage> batch, Duration callTimeout) {
        Batches.requireSize(batch, MAX_PERSONALIZATIONS, NAME);
        SendResult[] results = new SendResult[batch.size()];
        long deadline = System.nanoTime() + Math.min(callTimeout.toNanos(), Long.MAX_VALUE / 4);
        REQUEST_DEADLINE.set(deadline);
        try {
            for (List<Entry> request : plan(batch)) {
                execute(request, results, 0, deadline);
            }
        } catch (Failure failure) {
            List<SendResult> completed = Arrays.stream(results).filter(Objects::nonNull).toList();
            if (failure.throttled) {
                throw new ProviderThrottledException(NAME, failure.getMessage(), failure.retryAfter, completed);
            }
            // A read timeout means a request left without an answer: its recipients may have been accepted.
            boolean unanswered = failure.getCause() instanceof java.net.SocketTimeoutException;
            List<dev.dispatch.domain.subscriber.EmailAddress> answered = completed.stream().map(SendResult::recipient).toList();
            throw new ProviderUnavailableException(NAME, failure.getMessage(), completed, failure.getCause(),
                    unanswered ? batch.stream().map(OutgoingMessage::to).filter(to -> !answered.contains(to)).toList() : List.of());
        } finally {
            REQUEST_DEADLINE.remove();
        }
        return List.of(results);
    }

    @Override
    public void close() throws IOException {
        http.close();
    }

    /** One recipient in a request: its position in the batch and its substitutions (empty: none). */
    private record Entry(int index, OutgoingMessage message, Shared shared, Map<String, String> substitutions) {}

    /** What all personalizations of a request share. */
    private record Shared(EmailAddress from, String fromName, EmailAddress replyTo, String html, String text) {}

    /** Requests to make, in order: verified recipients grouped by shared content, the others alone. */
    private List<List<Entry>> plan(List<OutgoingMessage> batch) {
        Map<Shared, List<Entry>> groups = new LinkedHashMap<>();
        List<List<Entry>> alone = new ArrayList<>();
        Map<MessageContent, String[]> taggedBodies = new IdentityHashMap<>();
        Map<Set<String>, Pattern> patterns = new HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            OutgoingMessage message = batch.get(i);
            String html = MessageBodies.html(message);
            String text = MessageBodies.text(message);
            Shared own = new Shared(message.from(), message.fromName(), message.replyTo(), html, text);
            Entry entry = null;
            if (message.merge() != null) {
                MessageContent tagged = message.merge().tagged();
                String[] bodies = taggedBodies.computeIfAbsent(tagged, t -> new String[] {
                        MessageBodies.html(t.html(), t.preheader()), MessageBodies.text(t.text(), t.html())});
                Map<String, String> substitutions = message.merge().substitutions();
                if (verifies(bodies[0], bodies[1], substitutions, html, text, patterns)) {
                    Shared shared = new Shared(message.from(), message.fromName(), message.replyTo(), bodies[0], bodies[1]);
                    entry = new Entry(i, message, shared, substitutions);
                }
            }
            if (entry == null && message.merge() != null) {
                alone.add(List.of(new Entry(i, message, own, Map.of())));
            } else {
                Entry grouped = entry != null ? entry : new Entry(i, message, own, Map.of());
                groups.computeIfAbsent(grouped.shared(), k -> new ArrayList<>()).add(grouped);
            }
        }
        List<List<Entry>> requests = new ArrayList<>();
        for (List<Entry> group : groups.values()) {
            for (int from = 0; from < group.size(); from += MAX_PERSONALIZATIONS) {
                requests.add(group.subList(from, Math.min(group.size(), from + MAX_PERSONALIZATIONS)));
            }
        }
        requests.addAll(alone);
        return requests;
    }

    /** Does the tagged content with these substitutions give exactly this recipient's content, as SendGrid would? */
    static boolean verifies(String taggedHtml, String taggedText, Map<String, String> substitutions, String html,
            String text, Map<Set<String>, Pattern> patterns) {
        if (substitutions.isEmpty()) {
            return Objects.equals(taggedHtml, html) && Objects.equals(taggedText, text);
        }
        int bytes = 0;
        for (Map.Entry<String, String> entry : substitutions.entrySet()) {
            bytes += entry.getKey().getBytes(StandardCharsets.UTF_8).length
                    + entry.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (bytes > MAX_SUBSTITUTION_BYTES) {
            return false;
        }
        // SendGrid replaces tags in an order it doesn't document: a value holding a tag would make that order
        // matter, so such a recipient is not batched.
        String prefix = commonPrefix(substitutions.keySet());
        for (String value : substitutions.values()) {
            if (prefix.length() >= 4 ? value.contains(prefix) : substitutions.keySet().stream().anyMatch(value::contains)) {
                return false;
            }
        }
        Pattern pattern = patterns.computeIfAbsent(Set.copyOf(substitutions.keySet()), SendGridProvider::tagPattern);
        return Objects.equals(substitute(taggedHtml, substitutions, pattern), html)
                && Objects.equals(substitute(taggedText, substitutions, pattern), text);
    }

    private static Pattern tagPattern(Set<String> tags) {
        return Pattern.compile(tags.stream().sorted(Comparator.comparingInt(String::length).reversed())
                .map(Pattern::quote).collect(Collectors.joining("|")));
    }

    private static String substitute(String content, Map<String, String> substitutions, Pattern pattern) {
        if (content == null) {
            return null;
        }
        Matcher matcher = pattern.matcher(content);
        return matcher.replaceAll(match -> Matcher.quoteReplacement(substitutions.get(match.group())));
    }

    private static String commonPrefix(Set<String> keys) {
        String prefix = null;
        for (String key : keys) {
            if (prefix == null) {
                prefix = key;
            } else {
                int n = 0;
                while (n < prefix.length() && n < key.length() && prefix.charAt(n) == key.charAt(n)) {
                    n++;
                }
                prefix = prefix.substring(0, n);
            }
        }
        return prefix == null ? "" : prefix;
    }

    private void execute(List<Entry> entries, SendResult[] results, int depth, long deadline) {
        if (deadline - System.nanoTime() < MIN_REQUEST_TIME.toNanos()) {
            for (Entry entry : entries) {
                results[entry.index()] = Batches.notStarted(List.of(entry.message())).get(0);
            }
            return;
        }
        Response response;
        try {
            Request request = new Request();
            request.setMethod(Method.POST);
            request.setEndpoint("mail/send");
            request.setBody(body(entries));
            response = sendGrid.api(request);
        } catch (IOException e) {
            throw new Failure(false, "request failed: " + Batches.shorten(e.getClass().getSimpleName() + " "
                    + e.getMessage()), null, e);
        }
        int status = response.getStatusCode();
        if (status >= 200 && status < 300) {
            String id = header(response, "X-Message-Id");
            for (Entry entry : entries) {
                results[entry.index()] = SendResult.accepted(entry.message().to(), id == null ? "sendgrid-" + status : id);
            }
        } else if (status == 400) {
            rejectNamed(entries, results, response, depth, deadline);
        } else if (status == 413 && entries.size() > 1) {
            int half = entries.size() / 2;
            execute(entries.subList(0, half), results, depth + 1, deadline);
            execute(entries.subList(half, entries.size()), results, depth + 1, deadline);
        } else if (status == 413) {
            results[entries.get(0).index()] = SendResult.rejected(entries.get(0).message().to(),
                    "sendgrid 413: message too large");
        } else if (status == 429) {
            throw new Failure(true, "429 rate limited", retryAfter(response), null);
        } else {
            throw new Failure(false, status + ": " + errorMessages(response.getBody()), null, null);
        }
    }

    /** 400: reject what the errors point at; send the rest again once, or reject all if they point at nothing. */
    private void rejectNamed(List<Entry> entries, SendResult[] results, Response response, int depth, long deadline) {
        Map<Integer, String> named = new LinkedHashMap<>();
        boolean shared = false;
        List<String> messages = new ArrayList<>();
        try {
            JsonNode errors = JSON.readTree(response.getBody() == null ? "" : response.getBody()).path("errors");
            for (JsonNode error : errors) {
                String message = error.path("message").asText("");
                messages.add(message);
                Matcher field = PERSONALIZATION_FIELD.matcher(error.path("field").asText(""));
                if (field.matches() && Integer.parseInt(field.group(1)) < entries.size()) {
                    named.merge(Integer.parseInt(field.group(1)), message, (a, b) -> a + "; " + b);
                } else {
                    shared = true;
                }
            }
        } catch (JsonProcessingException | NumberFormatException e) {
            shared = true;
        }
        if (shared || named.isEmpty() || depth >= 10) {
            String detail = Batches.shorten("sendgrid 400: " + (messages.isEmpty() ? "bad request" : String.join("; ", messages)));
            for (Entry entry : entries) {
                results[entry.index()] = SendResult.rejected(entry.message().to(), detail);
            }
            return;
        }
        List<Entry> rest = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            String reason = named.get(i);
            if (reason != null) {
                results[entry.index()] = SendResult.rejected(entry.message().to(), Batches.shorten("sendgrid 400: " + reason));
            } else {
                rest.add(entry);
            }
        }
        if (!rest.isEmpty()) {
            execute(rest, results, depth + 1, deadline);
        }
    }

    private static String body(List<Entry> entries) {
        Shared shared = entries.get(0).shared();
        ObjectNode body = JSON.createObjectNode();
        ArrayNode personalizations = body.putArray("personalizations");
        for (Entry entry : entries) {
            OutgoingMessage message = entry.message();
            ObjectNode personalization = personalizations.addObject();
            ObjectNode to = personalization.putArray("to").addObject();
            to.put("email", message.to().value());
            if (message.toName() != null) {
                to.put("name", message.toName());
            }
            personalization.put("subject", message.subject());
            ObjectNode headers = personalization.putObject("headers");
            MessageHeaders.of(message).forEach(headers::put);
            ObjectNode customArgs = personalization.putObject("custom_args");
            message.correlation().forEach(customArgs::put);
            if (!entry.substitutions().isEmpty()) {
                ObjectNode substitutions = personalization.putObject("substitutions");
                entry.substitutions().forEach(substitutions::put);
            }
        }
        ObjectNode from = body.putObject("from");
        from.put("email", shared.from().value());
        if (shared.fromName() != null) {
            from.put("name", shared.fromName());
        }
        if (shared.replyTo() != null) {
            body.putObject("reply_to").put("email", shared.replyTo().value());
        }
        ArrayNode content = body.putArray("content");
        content.addObject().put("type", "text/plain").put("value", shared.text()); // text/plain must come first
        if (shared.html() != null) {
            content.addObject().put("type", "text/html").put("value", shared.html());
        }
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Duration retryAfter(Response response) {
        String reset = header(response, "X-RateLimit-Reset");
        if (reset != null) {
            try {
                Duration wait = Duration.between(clock.instant(), Instant.ofEpochSecond(Long.parseLong(reset.strip())));
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (NumberFormatException e) {
                // fall through to Retry-After
            }
        }
        return Batches.retryAfterSeconds(header(response, "Retry-After"));
    }

    private static String header(Response response, String name) {
        if (response.getHeaders() == null) {
            return null;
        }
        for (Map.Entry<String, String> header : response.getHeaders().entrySet()) {
            if (header.getKey() != null && header.getKey().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    private static String errorMessages(String body) {
        if (body == null || body.isBlank()) {
            return "no body";
        }
        try {
            Set<String> messages = new LinkedHashSet<>();
            for (JsonNode error : JSON.readTree(body).path("errors")) {
                messages.add(error.path("message").asText(""));
            }
            return messages.isEmpty() ? Batches.shorten(body) : Batches.shorten(String.join("; ", new TreeSet<>(messages)));
        } catch (JsonProcessingException e) {
            return Batches.shorten(body);
        }
    }

    /** A whole-request failure, turned into the port's exception with the results so far. */
    private static final class Failure extends RuntimeException {
        final boolean throttled;
        final transient Duration retryAfter;

        Failure(boolean throttled, String message, Duration retryAfter, Throwable cause) {
            super(message, cause);
            this.throttled = throttled;
            this.retryAfter = retryAfter;
        }
    }
}
