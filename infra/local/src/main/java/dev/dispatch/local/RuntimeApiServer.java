package dev.dispatch.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Lambda Runtime API (2018-06-01) for one function, served on 127.0.0.1 to all of the function's runtime
 * processes: each process long-polls {@code /next}, and whichever is free takes the next queued invocation.
 */
final class RuntimeApiServer implements AutoCloseable {
    static {
        LocalCloud.configureHttpServer();
    }

    /** Lambda's limit for synchronous request and response payloads. */
    static final int MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

    private static final Logger LOG = Logger.getLogger(RuntimeApiServer.class.getName());
    private static final String PREFIX = "/2018-06-01/runtime/";
    private static final long POLL_SLICE_MS = 200;

    /** What the server needs from the function that owns it. */
    interface Listener {
        /** The live process that holds the client end of this connection, or null when it can't be told. */
        FunctionProcess ownerOf(InetSocketAddress remote);

        void polled(FunctionProcess process);

        void initError(FunctionProcess process, String errorType, byte[] body);

        /** The invocation ran past its deadline and was failed: kill the process running it. */
        void timedOut(Invocation invocation);
    }

    private final String functionName;
    private final String functionArn;
    private final Duration timeout;
    private final Listener listener;
    private final ScheduledExecutorService timers;
    private final HttpServer server;
    private final ExecutorService executor;
    private final LinkedBlockingDeque<Invocation> queue = new LinkedBlockingDeque<>();
    private final Map<String, Invocation> running = new ConcurrentHashMap<>();
    private volatile boolean closed;

    RuntimeApiServer(String functionName, String functionArn, Duration timeout, Listener listener,
            ScheduledExecutorService timers) throws IOException {
        this.functionName = functionName;
        this.functionArn = functionArn;
        this.timeout = timeout;
        this.listener = listener;
        this.timers = timers;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        this.executor = Executors.newCachedThreadPool(LocalCloud.daemonThreads("runtime-api-" + functionName));
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** host:port for AWS_LAMBDA_RUNTIME_API. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    int port() {
        return server.getAddress().getPort();
    }

    void submit(Invocation invocation) {
        if (closed) {
            invocation.fail(error("Runtime.Closed", "The local cloud is shutting down"));
            return;
        }
        queue.addLast(invocation);
    }

    int queued() {
        return queue.size();
    }

    int running() {
        return running.size();
    }

    /** Fails what {@code process} was running (it died or was killed). */
    void failRunningOf(FunctionProcess process, FunctionErrorException error) {
        for (Invocation invocation : new ArrayList<>(running.values())) {
            if (invocation.owner() == process && invocation.fail(error)) {
                running.remove(invocation.requestId);
            }
        }
    }

    /** Fails what is running on a process nobody could identify (used when the function has no live process). */
    void failRunningWithoutOwner(FunctionErrorException error) {
        for (Invocation invocation : new ArrayList<>(running.values())) {
            if (invocation.owner() == null && invocation.fail(error)) {
                running.remove(invocation.requestId);
            }
        }
    }

    /** Fails everything still waiting in the queue (the function can't start). */
    void failQueued(FunctionErrorException error) {
        Invocation invocation;
        while ((invocation = queue.pollFirst()) != null) {
            invocation.fail(error);
        }
    }

    FunctionErrorException error(String type, String message) {
        return LocalFunction.error(functionName, type, message);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (!path.startsWith(PREFIX)) {
                reply(exchange, 404, "{\"errorMessage\":\"Not found\",\"errorType\":\"InvalidRequest\"}");
                return;
            }
            String rest = path.substring(PREFIX.length());
            if (rest.equals("invocation/next") && method.equals("GET")) {
                next(exchange);
            } else if (rest.startsWith("invocation/") && method.equals("POST")) {
                String[] parts = rest.split("/");
                if (parts.length == 3 && parts[2].equals("response")) {
                    response(exchange, parts[1]);
                } else if (parts.length == 3 && parts[2].equals("error")) {
                    invocationError(exchange, parts[1]);
                } else {
                    reply(exchange, 404, "{\"errorMessage\":\"Unknown path\",\"errorType\":\"InvalidRequest\"}");
                }
            } else if (rest.equals("init/error") && method.equals("POST")) {
                FunctionProcess owner = listener.ownerOf(exchange.getRemoteAddress());
                byte[] body = readBody(exchange, MAX_PAYLOAD_BYTES);
                listener.initError(owner, errorTypeHeader(exchange, "Runtime.InitError"), body);
                reply(exchange, 202, "{\"status\":\"OK\"}");
            } else {
                reply(exchange, 404, "{\"errorMessage\":\"Unknown path\",\"errorType\":\"InvalidRequest\"}");
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "Runtime API exchange failed for " + functionName, e);
        }
    }

    private void next(HttpExchange exchange) throws IOException {
        FunctionProcess owner = listener.ownerOf(exchange.getRemoteAddress());
        if (owner != null) {
            listener.polled(owner);
        }
        while (true) {
            if (closed) {
                reply(exchange, 410, "{\"errorMessage\":\"shutting down\"}");
                return;
            }
            if (owner != null && !owner.isLive()) {
                return; // the poller's process is gone: take nothing
            }
            Invocation invocation;
            try {
                invocation = queue.pollFirst(POLL_SLICE_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (invocation == null) {
                continue;
            }
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            if (!invocation.start(owner, deadline)) {
                continue; // already failed while queued
            }
            if (owner != null && !owner.isLive()) {
                putBack(invocation);
                return;
            }
            running.put(invocation.requestId, invocation);
            invocation.timeoutTask(timers.schedule(() -> expire(invocation), timeout.toMillis(), TimeUnit.MILLISECONDS));
            try {
                var headers = exchange.getResponseHeaders();
                headers.set("Content-Type", "application/json");
                headers.set("Lambda-Runtime-Aws-Request-Id", invocation.requestId);
                headers.set("Lambda-Runtime-Deadline-Ms", Long.toString(deadline));
                headers.set("Lambda-Runtime-Invoked-Function-Arn", functionArn);
                headers.set("Lambda-Runtime-Trace-Id", invocation.traceId);
                exchange.sendResponseHeaders(200, invocation.payload.length == 0 ? -1 : invocation.payload.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(invocation.payload);
                }
            } catch (IOException e) {
                putBack(invocation);
                throw e;
            }
            return;
        }
    }

    private void putBack(Invocation invocation) {
        running.remove(invocation.requestId);
        if (invocation.requeue()) {
            queue.addFirst(invocation);
        }
    }

    private void expire(Invocation invocation) {
        double seconds = timeout.toMillis() / 1000.0;
        String message = String.format("%s %s Task timed out after %.2f seconds", Instant.now(), invocation.requestId,
                seconds);
        if (invocation.fail(error("Sandbox.Timedout", message))) {
            running.remove(invocation.requestId);
            listener.timedOut(invocation);
        }
    }

    private void response(HttpExchange exchange, String requestId) throws IOException {
        byte[] body = readBody(exchange, MAX_PAYLOAD_BYTES + 1);
        Invocation invocation = running.remove(requestId);
        if (invocation == null) {
            reply(exchange, 202, "{\"status\":\"OK\"}"); // late answer of a failed invocation: dropped
            return;
        }
        if (body.length > MAX_PAYLOAD_BYTES) {
            invocation.fail(error("Function.ResponseSizeTooLarge",
                    "Response payload size exceeded maximum allowed payload size (" + MAX_PAYLOAD_BYTES + " bytes)."));
        } else {
            invocation.succeed(body);
        }
        reply(exchange, 202, "{\"status\":\"OK\"}");
    }

    private void invocationError(HttpExchange exchange, String requestId) throws IOException {
        byte[] body = readBody(exchange, MAX_PAYLOAD_BYTES);
        Invocation invocation = running.remove(requestId);
        if (invocation != null) {
            String type = errorTypeHeader(exchange, "Function.Unhandled");
            if (body.length == 0) {
                body = ("{\"errorMessage\":\"Unhandled\",\"errorType\":\"" + type + "\"}").getBytes(StandardCharsets.UTF_8);
            }
            invocation.fail(new FunctionErrorException(functionName, type, body));
        }
        reply(exchange, 202, "{\"status\":\"OK\"}");
    }

    private static String errorTypeHeader(HttpExchange exchange, String fallback) {
        String type = exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
        return type == null || type.isBlank() ? fallback : type;
    }

    private static byte[] readBody(HttpExchange exchange, int limit) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            return body;
        }
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        closed = true;
        FunctionErrorException shutdown = error("Runtime.Closed", "The local cloud is shutting down");
        failQueued(shutdown);
        for (Invocation invocation : new ArrayList<>(running.values())) {
            invocation.fail(shutdown);
        }
        running.clear();
        server.stop(0);
        executor.shutdownNow();
    }

    List<Invocation> runningInvocations() {
        return new ArrayList<>(running.values());
    }
}
