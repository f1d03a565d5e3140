package dev.dispatch.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A local API Gateway HTTP API ($default stage, payload format 2.0) in front of the template's functions: routes,
 * event mapping, API Gateway's limits (10 MB request, Lambda's 6 MB payload, 30 s integration timeout) and its
 * error answers.
 */
public final class HttpApiGateway implements AutoCloseable {
    static {
        LocalCloud.configureHttpServer();
    }

    /** API Gateway's request body limit. */
    public static final int MAX_REQUEST_BYTES = 10 * 1024 * 1024;
    /** HTTP API's integration timeout. */
    public static final Duration INTEGRATION_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = Logger.getLogger(HttpApiGateway.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HttpApiRouter router;
    private final Function<String, LocalFunction> functions;
    private final String accountId;
    private final String apiId;
    private final boolean verbose;
    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * @param functions logical id to function
     * @param bindAddress the interface to listen on (loopback unless told otherwise)
     * @param port 0 for a free port
     */
    public HttpApiGateway(HttpApiRouter router, Function<String, LocalFunction> functions, String accountId,
            InetAddress bindAddress, int port, boolean verbose) throws IOException {
        this.router = router;
        this.functions = functions;
        this.accountId = accountId;
        this.apiId = randomApiId();
        this.verbose = verbose;
        InetAddress address = bindAddress == null ? InetAddress.getLoopbackAddress() : bindAddress;
        this.server = HttpServer.create(new InetSocketAddress(address, port), 256);
        this.executor = Executors.newCachedThreadPool(LocalCloud.daemonThreads("http-api"));
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** e.g. {@code http://127.0.0.1:3000} (no trailing slash). */
    public URI url() {
        InetAddress address = server.getAddress().getAddress();
        String host = address.isAnyLocalAddress() ? "127.0.0.1" : address.getHostAddress();
        return URI.create("http://" + host + ":" + port());
    }

    public String apiId() {
        return apiId;
    }

    private void handle(HttpExchange exchange) {
        long started = System.nanoTime();
        String requestId = randomId(12);
        String method = exchange.getRequestMethod();
        URI uri = exchange.getRequestURI();
        String rawPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = "-";
        HttpApiEvents.Response response;
        try {
            byte[] body = readBody(exchange);
            if (body == null) {
                response = HttpApiEvents.error(413, "Request Entity Too Large", requestId);
            } else {
                Optional<HttpApiRouter.Match> match = router.match(method, rawPath);
                if (match.isEmpty()) {
                    response = HttpApiEvents.error(404, "Not Found", requestId);
                } else {
                    target = match.get().route().target();
                    response = integrate(exchange, match.get(), body, requestId, rawPath, uri.getRawQuery());
                }
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "Reading the request failed", e);
            exchange.close();
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Gateway error for " + method + " " + rawPath, e);
            response = HttpApiEvents.error(500, "Internal Server Error", requestId);
        }
        send(exchange, method, response);
        if (verbose) {
            System.out.printf("[http-api] %s %s -> %d (%s, %d ms)%n", method, rawPath, response.statusCode(), target,
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    private HttpApiEvents.Response integrate(HttpExchange exchange, HttpApiRouter.Match match, byte[] body,
            String requestId, String rawPath, String rawQuery) {
        LocalFunction function = functions.apply(match.route().target());
        if (function == null) {
            return HttpApiEvents.error(500, "Internal Server Error", requestId);
        }
        Map<String, List<String>> headers = new LinkedHashMap<>(exchange.getRequestHeaders());
        String protocol = exchange.getProtocol();
        HttpApiEvents.Request request = new HttpApiEvents.Request(method(exchange), rawPath, rawQuery, protocol, headers,
                body, exchange.getRemoteAddress().getAddress().getHostAddress(), System.currentTimeMillis(), requestId);
        byte[] event = Json.bytes(HttpApiEvents.event(request, match, accountId, apiId));
        CompletableFuture<byte[]> result;
        try {
            result = function.invokeAsync(event);
        } catch (PayloadTooLargeException e) {
            return HttpApiEvents.error(413, "Request too long", requestId);
        }
        try {
            byte[] payload = result.get(INTEGRATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return HttpApiEvents.response(payload, requestId);
        } catch (TimeoutException e) {
            LOG.warning(function.functionName() + " did not answer " + match.route().routeKey() + " within "
                    + INTEGRATION_TIMEOUT.toSeconds() + " s");
            return HttpApiEvents.error(503, "Service Unavailable", requestId);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof FunctionErrorException f) {
                LOG.warning(function.functionName() + " failed on " + match.route().routeKey() + ": " + f.errorType()
                        + " " + f.errorJsonString());
            } else {
                LOG.log(Level.WARNING, function.functionName() + " failed on " + match.route().routeKey(), cause);
            }
            return HttpApiEvents.error(500, "Internal Server Error", requestId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return HttpApiEvents.error(503, "Service Unavailable", requestId);
        }
    }

    private static String method(HttpExchange exchange) {
        return exchange.getRequestMethod().toUpperCase(java.util.Locale.ROOT);
    }

    /**
     * The body, or null when it is over {@link #MAX_REQUEST_BYTES}. An oversized body is still read (and dropped, up
     * to {@link #MAX_DRAIN_BYTES}) before answering: closing a socket with unread input makes the kernel reset the
     * connection, and the client would lose the 413.
     */
    private static byte[] readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            String length = exchange.getRequestHeaders().getFirst("Content-Length");
            long declared = -1;
            if (length != null) {
                try {
                    declared = Long.parseLong(length.trim());
                } catch (NumberFormatException ignored) {
                    // let the stream decide
                }
            }
            byte[] body = declared > MAX_REQUEST_BYTES ? null : in.readNBytes(MAX_REQUEST_BYTES + 1);
            if (body != null && body.length <= MAX_REQUEST_BYTES) {
                return body;
            }
            try {
                in.transferTo(new LimitedSink(MAX_DRAIN_BYTES));
            } catch (IOException tooMuch) {
                exchange.getResponseHeaders().set("Connection", "close");
            }
            return null;
        }
    }

    /** Up to 64 MB of an oversized request is drained; beyond that the connection is closed. */
    static final long MAX_DRAIN_BYTES = 64L * 1024 * 1024;

    /** Discards what it is given and throws once {@code limit} bytes went through (ending the drain). */
    private static final class LimitedSink extends OutputStream {
        private final long limit;
        private long count;

        LimitedSink(long limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count += len;
            if (count >= limit) {
                throw new IOException("request body over the drain limit");
            }
        }
    }

    private static void send(HttpExchange exchange, String method, HttpApiEvents.Response response) {
        try (exchange) {
            var headers = exchange.getResponseHeaders();
            for (Map.Entry<String, String> h : response.headers()) {
                String name = h.getKey();
                if (name.equalsIgnoreCase("content-length") || name.equalsIgnoreCase("transfer-encoding")
                        || name.equalsIgnoreCase("connection")) {
                    continue;
                }
                headers.add(name, h.getValue());
            }
            int status = response.statusCode();
            boolean noBody = method.equalsIgnoreCase("HEAD") || status == 204 || status == 304 || status < 200;
            if (noBody || response.body().length == 0) {
                exchange.sendResponseHeaders(status, -1);
            } else {
                exchange.sendResponseHeaders(status, response.body().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "Client went away", e);
        }
    }

    /** Ten lower-case letters and digits, like a real API id. */
    private static String randomApiId() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            id.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return id.toString();
    }

    private static String randomId(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
