package dev.dispatch.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatch.emulators.ProjectLayout;
import dev.dispatch.local.FunctionErrorException;
import dev.dispatch.local.FunctionSpec;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudOptions;
import dev.dispatch.local.LocalFunction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Cold start and memory of every function of the template, beside a bare Funqy and a bare REST function (the
 * floors, infra/bench-floor) in the same run. Each round starts a fresh runtime process of each function from its
 * function.zip, with the local cloud's Lambda-like JVM flags (SerialGC, C1 only, MaxRAM = MemorySize, heap 85 % of it),
 * and measures process start -> first answered event (the event is queued before the process starts, as a cold
 * invocation's is). Then it puts the process under load (each function its own kind of work, below) and reads its
 * peak resident set (VmHWM). Cold start: the median over the rounds; peak RSS: the largest.
 *
 * <p>Usage: {@code infra/bin/benchmark coldstart [--rounds N] [--load N] [--import-rows N]}.
 */
public final class ColdStartBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double COLD_START_FACTOR = 1.2;
    private static final long RSS_GOAL_MIB = 256;
    private static final String WEBHOOK_SECRET = "coldstart-benchmark-generic-secret";
    private static final String REST_HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";
    private static final String FUNQY_HANDLER = "io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest";

    /** One function to measure: its first event and the load that follows (invocation i of the load). */
    private record Subject(String name, String kind, FunctionSpec spec, byte[] firstEvent, IntFunction<byte[]> load,
            int loadInvocations, String loadDescription) {
    }

    private record Round(long coldMillis, long initMillis, long peakRssBytes, String answer) {
    }

    private ColdStartBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = 3;
        int load = 200;
        int importRows = 10_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--load" -> load = Integer.parseInt(args[++i]);
                case "--import-rows" -> importRows = Integer.parseInt(args[++i].replace("_", "").replace(",", ""));
                default -> {
                    System.err.println("Unknown option " + args[i]
                            + "\nUsage: infra/bin/benchmark coldstart [--no-build] [--rounds N] [--load N] [--import-rows N]");
                    System.exit(2);
                }
            }
        }
        Path root = ProjectLayout.root();
        LocalCloudOptions options = LocalCloudOptions.defaults().port(0).schedulesEnabled(false)
                .secret("GenericWebhookHmacSecret", "{\"secret\": \"" + WEBHOOK_SECRET + "\"}");
        System.out.println("Starting the local cloud (the functions' tables, queues and secrets)...");
        try (LocalCloud cloud = LocalCloud.start(options)) {
            Map<String, String> awsEnvironment = new LinkedHashMap<>(cloud.localAws().awsEnvironment());
            List<Subject> subjects = subjects(cloud, root, load, importRows);
            Path workDir = Path.of("target", "benchmark-coldstart").toAbsolutePath();
            Map<String, List<Round>> results = new LinkedHashMap<>();
            subjects.forEach(s -> results.put(s.name(), new ArrayList<>()));
            for (int round = 1; round <= rounds; round++) {
                // A different order each round, so no function always follows the same one.
                List<Subject> order = new ArrayList<>(subjects);
                java.util.Collections.rotate(order, round - 1);
                for (Subject s : order) {
                    Round r = measure(s, awsEnvironment, workDir);
                    results.get(s.name()).add(r);
                    System.out.printf(Locale.ROOT, "round %d %-26s cold start %,6d ms (init %,6d ms), peak RSS %4d MiB, %s%n",
                            round, s.name(), r.coldMillis(), r.initMillis(), r.peakRssBytes() >> 20, r.answer());
                }
            }
            report(subjects, results, rounds, load, importRows);
        }
    }

    private static List<Subject> subjects(LocalCloud cloud, Path root, int load, int importRows) throws Exception {
        String key = cloud.devApiKey();
        List<Subject> out = new ArrayList<>();
        out.add(new Subject("bare REST (floor)", "REST",
                FunctionSpec.of("BareRestFunction", root.resolve("infra/bench-floor/rest/target/function.zip"), REST_HANDLER)
                        .withMemoryMb(256),
                ping(), i -> ping(), load, "GET /ping"));
        out.add(new Subject("bare Funqy (floor)", "Funqy",
                FunctionSpec.of("BareFunqyFunction", root.resolve("infra/bench-floor/funqy/target/function.zip"), FUNQY_HANDLER)
                        .withMemoryMb(256),
                "{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8),
                i -> "{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8), load, "a JSON object"));
        for (LocalFunction f : cloud.functions().values()) {
            FunctionSpec spec = f.spec();
            String kind = spec.handler().equals(REST_HANDLER) ? "REST" : "Funqy";
            switch (spec.logicalId()) {
                case "ApiFunction" -> out.add(new Subject("api", kind, spec, fixture(root, "api-get-subscriber.json", key),
                        i -> i == 0 ? importEvent(root, key, importRows) : fixture(root, "api-get-subscriber.json", key),
                        load, "a CSV import of " + String.format(Locale.ROOT, "%,d", importRows) + " rows, then GET /subscribers/{email}"));
                case "EnqueueCampaignFunction" -> out.add(new Subject("enqueue-campaign", kind, spec,
                        fixture(root, "enqueue-campaign-sqs.json", key), i -> fixture(root, "enqueue-campaign-sqs.json", key),
                        load, "the SQS wake-up of the fixture (unknown) campaign"));
                case "SendBatchFunction" -> out.add(new Subject("send-batch", kind, spec,
                        fixture(root, "send-batch-sqs.json", key), i -> fixture(root, "send-batch-sqs.json", key),
                        load, "the SQS message of the fixture (unknown) batch"));
                case "ProcessWebhookFunction" -> out.add(new Subject("process-webhook", kind, spec,
                        webhookEvent(root, "first", 10), i -> webhookEvent(root, "l" + i, 10), load,
                        "signed generic webhook requests of 10 events each (queued for apply-engagement)"));
                case "ApplyEngagementFunction" -> out.add(new Subject("apply-engagement", kind, spec,
                        engagementEvent(root, "first"), i -> engagementEvent(root, "l" + i), load,
                        "SQS messages of 3 new engagement events each"));
                case "WarmingTickFunction" -> out.add(new Subject("warming-tick", kind, spec,
                        fixture(root, "warming-tick-schedule.json", key), i -> fixture(root, "warming-tick-schedule.json", key),
                        Math.min(load, 20), "the hourly schedule event"));
                case "ReportFunction" -> out.add(new Subject("report", kind, spec, fixture(root, "report-providers.json", key),
                        i -> fixture(root, "report-providers.json", key), load, "GET /reports/providers over a week"));
                default -> System.out.println("(" + spec.logicalId() + " has no cold-start event here; not measured)");
            }
        }
        return out;
    }

    /** One cold start (fresh process, first event queued before it starts), then the load; the process is stopped. */
    private static Round measure(Subject s, Map<String, String> awsEnvironment, Path workDir) throws Exception {
        // The template's Timeout is for AWS; here a slow, shared machine must not kill the process mid-load (its
        // memory is what is measured), so the benchmark allows 15 minutes per invocation.
        FunctionSpec spec = s.spec().withTimeout(java.time.Duration.ofMinutes(15));
        try (LocalFunction f = LocalFunction.start(spec, awsEnvironment, workDir, false)) {
            CompletableFuture<byte[]> first = f.invokeAsync(s.firstEvent());
            String answer;
            long answeredAt;
            try {
                answer = describe(first.get(3, TimeUnit.MINUTES));
            } catch (java.util.concurrent.ExecutionException e) {
                answer = e.getCause() instanceof FunctionErrorException fe ? "function error " + fe.getMessage() : e.getCause().toString();
            }
            answeredAt = System.nanoTime();
            long cold = (answeredAt - f.firstStartNanos()) / 1_000_000;
            long init = f.stats().firstInitMillis();
            List<CompletableFuture<byte[]>> load = new ArrayList<>();
            for (int i = 0; i < s.loadInvocations(); i++) {
                load.add(f.invokeAsync(s.load().apply(i)));
            }
            int errors = 0;
            for (CompletableFuture<byte[]> l : load) {
                try {
                    l.get(10, TimeUnit.MINUTES);
                } catch (java.util.concurrent.ExecutionException e) {
                    errors++;
                }
            }
            long rss = f.peakRssBytes();
            return new Round(cold, init, rss, answer + (errors > 0 ? "; " + errors + " load invocations failed" : ""));
        }
    }

    /** The HTTP status of an HTTP API answer, "answered" for any other. */
    private static String describe(byte[] answer) {
        try {
            JsonNode node = JSON.readTree(answer);
            if (node != null && node.has("statusCode")) {
                return "HTTP " + node.get("statusCode").asInt();
            }
            if (node != null && node.has("batchItemFailures") && !node.get("batchItemFailures").isEmpty()) {
                return "answered (" + node.get("batchItemFailures").size() + " batch item failures)";
            }
        } catch (Exception e) {
            // not JSON: still an answer
        }
        return "answered";
    }

    private static void report(List<Subject> subjects, Map<String, List<Round>> results, int rounds, int load, int importRows)
            throws Exception {
        Map<String, Long> floors = new LinkedHashMap<>();
        Map<String, Long> floorInits = new LinkedHashMap<>();
        for (Subject s : subjects) {
            if (s.name().startsWith("bare ")) {
                floors.put(s.kind(), median(results.get(s.name())));
                floorInits.put(s.kind(), medianInit(results.get(s.name())));
            }
        }
        StringBuilder r = new StringBuilder();
        r.append(String.format(Locale.ROOT, "Cold start and memory benchmark, %s: %d rounds; each round a fresh runtime process per"
                + " function (JVM: -XX:+UseSerialGC -XX:+TieredCompilation -XX:TieredStopAtLevel=1 -XX:MaxRAM=<MemorySize>"
                + " -Xmx<85 %% of MemorySize> -Xshare:auto, plus the template's JAVA_TOOL_OPTIONS); load: %d invocations"
                + " after the first (the api: first a CSV import of %,d rows)%n%n", LocalDate.now(), rounds, load, importRows));
        r.append(String.format(Locale.ROOT, "  %-20s %-6s %9s %12s %11s %11s %14s %9s  %s%n", "function", "kind", "memory",
                "cold start", "init", "vs floor", "peak RSS", "RSS goal", "first answer"));
        BenchmarkFigures figures = new BenchmarkFigures();
        for (Subject s : subjects) {
            List<Round> rs = results.get(s.name());
            long cold = median(rs);
            long init = medianInit(rs);
            long rssMib = rs.stream().mapToLong(Round::peakRssBytes).max().orElse(0) >> 20;
            boolean floor = s.name().startsWith("bare ");
            long floorMs = floors.getOrDefault(s.kind(), -1L);
            double ratio = floorMs > 0 ? (double) cold / floorMs : Double.NaN;
            boolean coldMet = !floor && ratio <= COLD_START_FACTOR;
            boolean rssMet = rssMib <= RSS_GOAL_MIB;
            r.append(String.format(Locale.ROOT, "  %-20s %-6s %6d MB %,9d ms %,8d ms %11s %10d MiB %9s  %s%n", s.name(), s.kind(),
                    s.spec().memoryMb(), cold, init, floor ? "(floor)" : String.format(Locale.ROOT, "%.2fx %s", ratio, coldMet ? "met" : "NOT"),
                    rssMib, floor ? "" : rssMet ? "met" : "NOT met", rs.get(rs.size() - 1).answer()));
            String rounds1 = rs.stream().map(x -> Long.toString(x.coldMillis())).toList().toString();
            if (floor) {
                figures.info("cold start, " + s.name(), cold, "ms", "median of " + rounds1 + " ms; process start -> first answer");
                figures.info("peak RSS, " + s.name(), rssMib, "MiB", "load: " + s.loadInvocations() + " x " + s.loadDescription());
            } else {
                figures.add("cold start, " + s.name(), cold, "ms",
                        String.format(Locale.ROOT, "<= 1.2 x bare %s (%d ms)", s.kind(), floorMs), coldMet,
                        String.format(Locale.ROOT, "%.2f x the floor; median of %s ms; init (to first poll) %d ms", ratio, rounds1, init)
                                + (coldMet ? "" : limits(init, cold, floorInits.getOrDefault(s.kind(), -1L), floorMs)));
                figures.add("peak RSS, " + s.name(), rssMib, "MiB", "<= " + RSS_GOAL_MIB + " MiB", rssMet,
                        "MemorySize " + s.spec().memoryMb() + " MB; load: " + s.loadInvocations() + " x " + s.loadDescription());
            }
        }
        r.append(String.format(Locale.ROOT, """

                What the figures mean
                  - cold start: from the runtime process's start (java, the runtime interface client, the function's init) to
                    the answer of the first event, which was queued before the process started; median of the rounds. "init"
                    is the part up to the runtime's first poll of the Runtime API (Lambda's Init Duration). Goal: within
                    %.1f x the bare function of the same kind (Funqy: the Funqy floor; send-batch's handler wraps Funqy's).
                  - peak RSS: the largest VmHWM (/proc/<pid>/status) of the function's process over the rounds, after the
                    first event and the load. Goal: <= %d MiB.
                  - each invocation may run 15 minutes here (the template's Timeout is not applied: on a slow, shared
                    machine a 10,000-row import can take longer than the api's 29 s, and the process must not be killed
                    while its memory is measured).
                  - the events are the fixtures of events/ (the SQS ones name a campaign that does not exist, so they
                    measure start-up and the AWS clients' first calls, not a send); process-webhook gets freshly signed
                    generic webhook requests, apply-engagement new events each time.
                  - the machine may be shared: cold starts are CPU-bound and scale with the load of other processes;
                    compare the functions with the floors of the same run, not with another run.
                """, COLD_START_FACTOR, RSS_GOAL_MIB));
        r.append("\n  load per function:\n");
        for (Subject s : subjects) {
            r.append(String.format(Locale.ROOT, "    %-20s %d x %s%n", s.name(), s.loadInvocations(), s.loadDescription()));
        }
        System.out.println(r);
        Path out = Path.of("target", "benchmark-coldstart.txt");
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, r.toString());
        System.out.println("Written to " + out.toAbsolutePath());
        figures.write("coldstart");
    }

    /** Where an unmet cold start's time goes, beside the floor's: its init, then its first event. */
    static String limits(long init, long cold, long floorInit, long floorCold) {
        return String.format(Locale.ROOT, "; what limits it: init %d ms against the floor's %d ms (Quarkus start plus the"
                + " function's beans: AWS SDK clients, Jackson, configuration), then %d ms to the first answer against the"
                + " floor's %d ms (the SDK clients' first calls load and link their classes); on AWS, SnapStart (configured,"
                + " with priming) resumes after init", init, floorInit, cold - init, floorCold - floorInit);
    }

    private static long median(List<Round> rounds) {
        long[] v = rounds.stream().mapToLong(Round::coldMillis).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static long medianInit(List<Round> rounds) {
        long[] v = rounds.stream().mapToLong(Round::initMillis).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    // ------------------------------------------------------------------ events

    private static byte[] fixture(Path root, String file, String apiKey) {
        try {
            return Files.readString(root.resolve("events").resolve(file)).replace("${API_KEY}", apiKey)
                    .getBytes(StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ObjectNode fixtureTree(Path root, String file, String apiKey) {
        try {
            return (ObjectNode) JSON.readTree(fixture(root, file, apiKey));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** GET /ping as the HTTP API delivers it (payload 2.0). */
    private static byte[] ping() {
        String event = """
                {"version":"2.0","routeKey":"GET /ping","rawPath":"/ping","rawQueryString":"",
                 "headers":{"accept":"text/plain","host":"abcdef1234.execute-api.us-east-1.amazonaws.com"},
                 "requestContext":{"accountId":"123456789012","apiId":"abcdef1234","domainName":"abcdef1234.execute-api.us-east-1.amazonaws.com",
                  "domainPrefix":"abcdef1234","http":{"method":"GET","path":"/ping","protocol":"HTTP/1.1","sourceIp":"203.0.113.10",
                  "userAgent":"bench"},"requestId":"cold","routeKey":"GET /ping","stage":"$default",
                  "time":"02/Dec/2026:12:00:00 +0000","timeEpoch":1796212800000},"isBase64Encoded":false}
                """;
        return event.getBytes(StandardCharsets.UTF_8);
    }

    /** POST /subscribers/bulk-import of {@code rows} generated rows (the import fixture with another body). */
    private static byte[] importEvent(Path root, String apiKey, int rows) {
        ObjectNode event = fixtureTree(root, "api-bulk-import-csv.json", apiKey);
        StringBuilder csv = new StringBuilder("email,firstName,segments,plan\r\n");
        String run = Long.toString(System.nanoTime(), 36);
        for (int i = 0; i < rows; i++) {
            csv.append("cold").append(run).append('-').append(i).append("@bench.example.com,First").append(i)
                    .append(",newsletter,").append(i % 3 == 0 ? "pro" : "free").append("\r\n");
        }
        event.put("body", csv.toString());
        if (event.get("headers") instanceof ObjectNode headers && headers.has("content-length")) {
            headers.put("content-length", Integer.toString(csv.toString().getBytes(StandardCharsets.UTF_8).length));
        }
        return bytes(event);
    }

    /** A generic webhook request of {@code events} new events, signed now with the benchmark's secret. */
    private static byte[] webhookEvent(Path root, String run, int events) {
        ObjectNode event = fixtureTree(root, "webhook-generic-events.json", "");
        String unique = run + "-" + Long.toString(System.nanoTime(), 36);
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < events; i++) {
            body.append(i == 0 ? "" : ",").append("{\"id\":\"cold-").append(unique).append('-').append(i)
                    .append("\",\"type\":\"delivered\",\"email\":\"cold").append(i).append("@bench.example.com\",\"timestamp\":\"")
                    .append(Instant.now().minusSeconds(5).truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                    .append("\",\"campaignId\":\"cmp_coldstart\",\"variant\":\"A\"}");
        }
        body.append(']');
        long t = Instant.now().getEpochSecond();
        String signature = "t=" + t + ",v1=" + hmac(t + "." + body);
        event.put("body", body.toString());
        ObjectNode headers = (ObjectNode) event.get("headers");
        headers.put("x-dispatch-signature", signature);
        headers.put("content-length", Integer.toString(body.toString().getBytes(StandardCharsets.UTF_8).length));
        ((ObjectNode) event.get("requestContext")).put("timeEpoch", t * 1000);
        return bytes(event);
    }

    /** The engagement fixture's SQS message with new event ids (so each is applied, not a duplicate). */
    private static byte[] engagementEvent(Path root, String run) {
        String unique = run + "-" + Long.toString(System.nanoTime(), 36) + "-";
        return new String(fixture(root, "apply-engagement-sqs.json", ""), StandardCharsets.UTF_8)
                .replace("fixture-apply-", "cold-" + unique).getBytes(StandardCharsets.UTF_8);
    }

    private static String hmac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
