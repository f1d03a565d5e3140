package dev.dispatch.local.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * A stand-in for Postmark's {@code POST /email/batch} on 127.0.0.1 (JDK HTTP server): waits a fixed latency per
 * call, admits messages through a token bucket (the account's rate; a call that needs more tokens than are left is
 * answered 429 and admits nothing), answers each accepted message {@code {"ErrorCode":0,"MessageID":...,"To":...}}
 * and records every accepted recipient with how many times it was accepted. Faults for the second run: a share of
 * calls answered 500, a share 429, an outage window answered 503 (none of these reach the record), and a hook
 * called with the client's port on one chosen call before it is answered (the benchmark kills the caller there).
 */
public final class PostmarkStub implements AutoCloseable {
    private static final JsonFactory JSON = new JsonFactory();

    private final HttpServer server;
    private final ExecutorService workers;
    private final long latencyMillis;
    private final double ratePerSecond;
    private final double bucketCapacity;
    private double tokens;
    private long refilledAt = System.nanoTime();

    private final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
    private final AtomicLong acceptedMessages = new AtomicLong();
    /** Accepted messages by the epoch second their call arrived in (what a provider's rate limit sees). */
    private final Map<Long, AtomicLong> acceptedPerSecond = new ConcurrentHashMap<>();
    private volatile long lastAcceptedNanos;
    private final Map<Integer, AtomicLong> callsByStatus = new ConcurrentHashMap<>();
    private final AtomicLong calls = new AtomicLong();

    // faults
    private volatile double share500;
    private volatile double share429;
    private volatile long downUntilNanos;
    private final Random random = new Random(42);
    private final AtomicBoolean killArmed = new AtomicBoolean();
    private volatile IntConsumer killHook;
    private final AtomicLong interruptedCalls = new AtomicLong();

    public PostmarkStub(long latencyMillis, double ratePerSecond) throws IOException {
        this.latencyMillis = latencyMillis;
        this.ratePerSecond = ratePerSecond;
        this.bucketCapacity = Math.max(ratePerSecond, 500); // one second of the rate, at least one full Postmark call
        this.tokens = bucketCapacity;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        workers = Executors.newFixedThreadPool(32, r -> {
            Thread t = new Thread(r, "postmark-stub");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(workers);
        server.createContext("/email/batch", this::handle);
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    double ratePerSecond() {
        return ratePerSecond;
    }

    long latencyMillis() {
        return latencyMillis;
    }

    public void faults(double share500, double share429) {
        this.share500 = share500;
        this.share429 = share429;
    }

    /** Answers every call 503 for the given time from now. */
    void downFor(long millis) {
        downUntilNanos = System.nanoTime() + millis * 1_000_000;
    }

    /** The next call that would be accepted calls {@code hook} with the client's port first (once). */
    void armKill(IntConsumer hook) {
        killHook = hook;
        killArmed.set(true);
    }

    public long calls() {
        return calls.get();
    }

    Map<Integer, Long> callsByStatus() {
        Map<Integer, Long> copy = new TreeMap<>();
        callsByStatus.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    public long acceptedMessages() {
        return acceptedMessages.get();
    }

    long lastAcceptedNanos() {
        return lastAcceptedNanos;
    }

    /** Accepted messages per epoch second of arrival, in order. */
    public Map<Long, Long> acceptedPerSecond() {
        Map<Long, Long> copy = new TreeMap<>();
        acceptedPerSecond.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    public long interruptedCalls() {
        return interruptedCalls.get();
    }

    /** How many times the address was accepted (0 if never). */
    public int acceptedCount(String address) {
        AtomicInteger n = accepted.get(address);
        return n == null ? 0 : n.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            calls.incrementAndGet();
            long arrivedSecond = System.currentTimeMillis() / 1000;
            List<String> to;
            try (InputStream in = exchange.getRequestBody()) {
                to = recipients(in);
            } catch (IOException | RuntimeException e) {
                answer(exchange, 422, "{\"ErrorCode\":402,\"Message\":\"Invalid JSON\"}");
                return;
            }
            sleep(latencyMillis);
            if (System.nanoTime() < downUntilNanos) {
                answer(exchange, 503, "<html>Service Unavailable</html>");
                return;
            }
            double roll;
            synchronized (random) {
                roll = random.nextDouble();
            }
            if (roll < share500) {
                answer(exchange, 500, "{\"ErrorCode\":500,\"Message\":\"Internal Server Error\"}");
                return;
            }
            if (roll < share500 + share429 || !take(to.size())) {
                answer(exchange, 429, "{\"ErrorCode\":429,\"Message\":\"Rate limit exceeded\"}");
                return;
            }
            boolean kill = killArmed.compareAndSet(true, false);
            if (kill) {
                // The caller dies while this call is in flight: the messages were handed over (recorded as
                // accepted, as a real provider would send them) but the answer never arrives.
                killHook.accept(exchange.getRemoteAddress().getPort());
                interruptedCalls.incrementAndGet();
                sleep(200);
            }
            StringBuilder body = new StringBuilder(to.size() * 120).append('[');
            long now = System.nanoTime();
            for (String recipient : to) {
                accepted.computeIfAbsent(address(recipient), a -> new AtomicInteger()).incrementAndGet();
                if (body.length() > 1) {
                    body.append(',');
                }
                body.append("{\"ErrorCode\":0,\"Message\":\"OK\",\"MessageID\":\"").append(UUID.randomUUID())
                        .append("\",\"SubmittedAt\":\"2026-11-29T10:00:00Z\",\"To\":\"")
                        .append(recipient.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"}");
            }
            acceptedMessages.addAndGet(to.size());
            acceptedPerSecond.computeIfAbsent(arrivedSecond, s -> new AtomicLong()).addAndGet(to.size());
            lastAcceptedNanos = now;
            body.append(']');
            answer(exchange, 200, body.toString());
        }
    }

    private synchronized boolean take(int messages) {
        long now = System.nanoTime();
        tokens = Math.min(bucketCapacity, tokens + (now - refilledAt) / 1e9 * ratePerSecond);
        refilledAt = now;
        if (tokens < messages) {
            return false;
        }
        tokens -= messages;
        return true;
    }

    /** The "To" of every message of the batch, in order (streamed: the bodies are not kept). */
    private static List<String> recipients(InputStream in) throws IOException {
        List<String> to = new ArrayList<>();
        try (JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException("not an array");
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                String recipient = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if ("To".equals(field) && value == JsonToken.VALUE_STRING) {
                        recipient = p.getText();
                    } else if (value.isStructStart()) {
                        p.skipChildren();
                    }
                }
                if (recipient == null) {
                    throw new IOException("message without To");
                }
                to.add(recipient);
            }
        }
        return to;
    }

    /** {@code "Name" <a@b>} or {@code a@b} -> {@code a@b}. */
    static String address(String to) {
        int lt = to.lastIndexOf('<');
        int gt = to.lastIndexOf('>');
        return lt >= 0 && gt > lt ? to.substring(lt + 1, gt) : to.trim();
    }

    private void answer(HttpExchange exchange, int status, String body) {
        callsByStatus.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            // the caller is gone (killed): nothing to answer to
        }
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
