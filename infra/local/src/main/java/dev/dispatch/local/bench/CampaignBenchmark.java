package dev.dispatch.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudOptions;
import dev.dispatch.local.LocalFunction;
import dev.dispatch.local.SqsEventSource;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * A campaign end to end on the local cloud: N generated subscribers imported into one segment through the API, a
 * campaign to it created and sent through the API, enqueue-campaign and send-batch (function.zip in the Lambda
 * runtime client) against a Postmark stand-in ({@link PostmarkStub}) with a fixed latency and a token-bucket rate
 * limit. Reports recipients per second from {@code POST /campaigns/{id}/send} to status {@code sent} against the
 * slowest part's own limit measured in the same run (the stub's rate, dynalite's raw BatchWriteItem rate), AWS calls
 * per 1,000 recipients (inside the functions, counted by the shared jar's SDK interceptor; the SQS event sources'
 * calls; Lambda invocations), provider calls, the AWS cost per million recipients they imply, each function's
 * peak RSS; then a second campaign with injected faults, checked recipient by recipient against the stub's record.
 *
 * <p>Usage: {@code infra/bin/benchmark campaign [recipients] [--faults N] [--latency-ms MS] [--rate MSGS_PER_S]
 * [--send-concurrency N] [--raw-items N]}; defaults 100,000, 20,000, 50 ms, 2,000/s, 2, 20,000.
 */
public final class CampaignBenchmark {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS_PER_REQUEST = 10_000;
    private static final int RAW_THREADS = 4;
    private static final String COUNT_ENV = "DISPATCH_COUNT_AWS_CALLS"; // dev.dispatch.adapter.metrics.AwsCallCounter.ENV
    private static final String SEND = "SendBatchFunction";
    private static final String ENQUEUE = "EnqueueCampaignFunction";
    private static final String API = "ApiFunction";
    /** The send lease and the event sources' visibility timeout (see the report's notes). */
    private static final String LEASE = "PT20S";
    private static final int VISIBILITY_SECONDS = 30;

    private final LocalCloud cloud;
    private final PostmarkStub stub;
    private final Path countsDir;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final DynamoDbClient dynamoDb;
    private final SqsClient sqs;
    private final String campaignsTable;
    private final String ledgerTable;

    CampaignBenchmark(LocalCloud cloud, PostmarkStub stub, Path countsDir) {
        this.cloud = cloud;
        this.stub = stub;
        this.countsDir = countsDir;
        this.dynamoDb = cloud.localAws().dynamoDb();
        this.sqs = cloud.localAws().sqs();
        this.campaignsTable = cloud.localAws().resources().tableName("CampaignsTable");
        this.ledgerTable = cloud.localAws().resources().tableName("SendLedgerTable");
    }

    public static void main(String[] args) throws Exception {
        int recipients = 100_000;
        int faultRecipients = 20_000;
        long latency = 50;
        double rate = 2_000;
        int sendConcurrency = 2;
        int rawItems = 20_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--faults" -> faultRecipients = Integer.parseInt(args[++i]);
                case "--latency-ms" -> latency = Long.parseLong(args[++i]);
                case "--rate" -> rate = Double.parseDouble(args[++i]);
                case "--send-concurrency" -> sendConcurrency = Integer.parseInt(args[++i]);
                case "--raw-items" -> rawItems = Integer.parseInt(args[++i]);
                default -> {
                    if (args[i].startsWith("-")) {
                        System.err.println("Unknown option " + args[i] + "\nUsage: infra/bin/benchmark campaign [recipients]"
                                + " [--no-build] [--faults N] [--latency-ms MS] [--rate MSGS_PER_S] [--send-concurrency N] [--raw-items N]");
                        System.exit(2);
                    }
                    recipients = Integer.parseInt(args[i].replace("_", "").replace(",", ""));
                }
            }
        }
        Path countsDir = Path.of("target", "aws-call-counts").toAbsolutePath();
        deleteTree(countsDir);
        Files.createDirectories(countsDir);
        long started = System.nanoTime();
        try (PostmarkStub stub = new PostmarkStub(latency, rate)) {
            LocalCloudOptions options = LocalCloudOptions.defaults().port(0).schedulesEnabled(false)
                    .concurrency(SEND, sendConcurrency)
                    // The shared limiter is on, set to the stub's own rate (the shipped providers.yaml says 50/s).
                    .environment("DISPATCH_CONFIG_DIR", providersConfig(countsDir.getParent().resolve("benchmark-campaign-config"),
                            (int) Math.round(rate), 100_000_000).toString())
                    .secret("PostmarkServerTokenSecret", "{\"serverToken\": \"bench-server-token\"}")
                    .parameter("PostmarkApiUrl", stub.url().toString())
                    .environment(COUNT_ENV, countsDir.toString())
                    .environment("DISPATCH_SEND_LEASE", LEASE)
                    .sqsVisibilityTimeoutSeconds(VISIBILITY_SECONDS);
            System.out.println("Starting the local cloud (send-batch x" + sendConcurrency + ", Postmark stub at " + stub.url()
                    + ", " + latency + " ms per call, " + fmt(rate) + " messages/s)...");
            try (LocalCloud cloud = LocalCloud.start(options)) {
                String report = new CampaignBenchmark(cloud, stub, countsDir)
                        .run(recipients, faultRecipients, rawItems, sendConcurrency, started);
                System.out.println(report);
                Path out = Path.of("target", "benchmark-campaign.txt");
                Files.createDirectories(out.getParent());
                Files.writeString(out, report);
                System.out.println("Written to " + out.toAbsolutePath());
                ReportFigures.campaign(report).write("campaign");
            }
        }
    }

    private String run(int recipients, int faultRecipients, int rawItems, int sendConcurrency, long started) throws Exception {
        StringBuilder r = new StringBuilder();
        r.append(String.format(Locale.ROOT, "Campaign benchmark, %s: %,d recipients in one segment; Postmark stub %d ms per call,"
                + " rate limit %s messages/s (token bucket, burst %s); send-batch x%d processes, enqueue-campaign x1, api x1%n",
                LocalDate.now(), recipients, stub.latencyMillis(), fmt(stub.ratePerSecond()),
                fmt(Math.max(stub.ratePerSecond(), 500)), sendConcurrency));

        // Warm-up (JIT of both functions and of the stub), not measured.
        log("warm-up campaign of 2,000 recipients");
        seed("w", 2_000, "bench-warm");
        String warm = createCampaign("bench-warm", "warm-up");
        sendAndWait(warm, Duration.ofMinutes(3));

        log("seeding " + recipients + " subscribers through the bulk import");
        long seedStart = System.nanoTime();
        seed("m", recipients, "bench-main");
        double seedSeconds = (System.nanoTime() - seedStart) / 1e9;
        String campaign = createCampaign("bench-main", "main");

        Thread.sleep(1_500); // the import's last counts flush before the snapshot
        Snapshot before = snapshot();
        Map<String, Double> cpuBefore = cpuSeconds();
        long acceptedBefore = stub.acceptedMessages();
        log("sending campaign " + campaign);
        long t0 = System.nanoTime();
        double sendSeconds = sendAndWait(campaign, Duration.ofMinutes(8));
        long lastAccepted = stub.lastAcceptedNanos();
        Thread.sleep(1_500); // let the functions' counters flush (every 0.5 s)
        Snapshot after = snapshot();
        Map<String, Double> cpuAfter = cpuSeconds();
        double lastAcceptedSeconds = (lastAccepted - t0) / 1e9;
        long accepted = stub.acceptedMessages() - acceptedBefore;
        Map<String, Long> fates = ledgerFates(campaign, "m", recipients).fates;
        int batches = ledgerBatchCount(campaign);
        LedgerSize ledgerSize = ledgerItemSize(campaign);

        log("raw BatchWriteItem rate of dynalite (" + rawItems + " items)");
        double rawRate = rawWriteRate(rawItems);

        double endToEnd = recipients / sendSeconds;
        double limit = Math.min(stub.ratePerSecond(), rawRate);
        r.append(String.format(Locale.ROOT, "%nSeeding (not timed as the send): %,d subscribers imported in %.1f s (%,.0f rows/s), requests of %,d rows%n",
                recipients, seedSeconds, recipients / seedSeconds, ROWS_PER_REQUEST));
        r.append(String.format(Locale.ROOT, "%nThroughput (campaign %s, %,d ledger batches)%n", campaign, batches));
        r.append(String.format(Locale.ROOT, "  end to end (POST /campaigns/{id}/send -> status sent)  %8.1f s  %,8.0f recipients/s%n", sendSeconds, endToEnd));
        r.append(String.format(Locale.ROOT, "  send -> last message accepted by the stub               %8.1f s  %,8.0f recipients/s%n",
                lastAcceptedSeconds, recipients / lastAcceptedSeconds));
        r.append(String.format(Locale.ROOT, "  stub's configured rate limit                                       %,8.0f messages/s%n", stub.ratePerSecond()));
        r.append(String.format(Locale.ROOT, "  dynalite raw BatchWriteItem (%d threads, 25 items/call, %,d items) %,8.0f items/s%n",
                RAW_THREADS, rawItems, rawRate));
        r.append(String.format(Locale.ROOT, "  slowest part's limit = %,.0f/s (%s); end to end = %.0f%% of it (target >= 50%%: %s)%n",
                limit, limit == stub.ratePerSecond() ? "the stub's rate" : "dynalite's write rate", endToEnd / limit * 100,
                endToEnd >= limit / 2 ? "met" : "NOT met"));
        r.append(String.format(Locale.ROOT, "  messages accepted by the stub: %,d; ledger fates: %s%n", accepted, fates));
        r.append(String.format(Locale.ROOT, "  CPU used during the send (of %d cores x %.1f s = %.0f core-s):", Runtime.getRuntime().availableProcessors(),
                sendSeconds, Runtime.getRuntime().availableProcessors() * sendSeconds));
        cpuAfter.forEach((k, v) -> r.append(String.format(Locale.ROOT, " %s %.1f s;", k, v - cpuBefore.getOrDefault(k, 0.0))));
        r.append('\n');

        r.append(callsReport(before, after, recipients, batches, ledgerSize));
        r.append(memoryReport());

        // ---------------------------------------------------------------- faults
        if (faultRecipients > 0) {
            log("fault run: seeding " + faultRecipients + " subscribers");
            seed("f", faultRecipients, "bench-faults");
            r.append(faultRun(faultRecipients));
        }
        r.append(String.format(Locale.ROOT, "%nWhole benchmark: %.0f s (local cloud start %.0f s)%n",
                (System.nanoTime() - started) / 1e9, cloud.startMillis() / 1e3));
        r.append(notes());
        return r.toString();
    }

    // ------------------------------------------------------------------ API steps

    void seed(String prefix, int count, String segment) throws Exception {
        int created = 0;
        for (int from = 0; from < count; from += ROWS_PER_REQUEST) {
            StringBuilder csv = new StringBuilder("email,firstName,lastName,segments,plan,city\n");
            for (int i = from; i < Math.min(count, from + ROWS_PER_REQUEST); i++) {
                csv.append(address(prefix, i)).append(',').append(i % 7 == 0 ? "" : "First" + i).append(",Last").append(i)
                        .append(',').append(segment).append(',').append(i % 3 == 0 ? "pro" : "free").append(",City").append(i % 100).append('\n');
            }
            JsonNode report = api("POST", "/subscribers/bulk-import", "text/csv", csv.toString());
            created += report.get("created").asInt();
        }
        if (created != count) {
            throw new IllegalStateException("expected " + count + " created, the import reported " + created);
        }
    }

    static String address(String prefix, int i) {
        return prefix + "-" + i + "@bench.example.com";
    }

    String createCampaign(String segment, String name) throws Exception {
        ObjectNode c = JSON.createObjectNode()
                .put("name", "Benchmark " + name)
                .put("fromEmail", "news@example.com")
                .put("fromName", "Dispatch Benchmark")
                .put("subject", "Hello {{default firstName \"there\"}}, your November update")
                .put("preheader", "What is new this month")
                .put("html", "<h1>Hi {{default firstName \"there\"}}!</h1>{{#if plan}}<p>Thanks for being on the {{plan}} plan"
                        + " in {{default city \"your city\"}}.</p>{{/if}}<p>Here is what is new: faster imports, campaigns, reports.</p>"
                        + "<p><a href=\"https://example.com/news?u={{email}}\">Read more</a></p>"
                        + "<p><a href=\"{{unsubscribeUrl}}\">Unsubscribe</a></p>");
        c.putArray("segments").add(segment);
        c.putArray("providers").add("postmark");
        var variants = c.putArray("variants");
        variants.addObject().put("id", "A").put("percent", 50);
        variants.addObject().put("id", "B").put("percent", 50).put("subject", "{{default firstName \"Friend\"}}, the November update is here");
        return api("POST", "/campaigns", "application/json", c.toString()).get("id").asText();
    }

    /** Sends and waits for status sent (read straight from the table every 100 ms, so polling costs no API calls). */
    double sendAndWait(String campaignId, Duration limit) throws Exception {
        long t0 = System.nanoTime();
        api("POST", "/campaigns/" + campaignId + "/send", "application/json", "{}");
        long deadline = t0 + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if ("sent".equals(status(campaignId))) {
                return (System.nanoTime() - t0) / 1e9;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("campaign " + campaignId + " not sent within " + limit + ": " + status(campaignId));
    }

    private String status(String campaignId) {
        var item = dynamoDb.getItem(b -> b.tableName(campaignsTable).key(Map.of("id", AttributeValue.fromS(campaignId)))
                .consistentRead(true)).item();
        return item.get("status").s();
    }

    private Map<String, AttributeValue> campaignItem(String campaignId) {
        return dynamoDb.getItem(b -> b.tableName(campaignsTable).key(Map.of("id", AttributeValue.fromS(campaignId)))
                .consistentRead(true)).item();
    }

    private JsonNode api(String method, String path, String contentType, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(cloud.apiUrl(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + cloud.devApiKey())
                .header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    // ------------------------------------------------------------------ ledger

    private List<Map<String, AttributeValue>> ledgerItems(String campaignId) {
        QueryRequest query = QueryRequest.builder().tableName(ledgerTable).keyConditionExpression("campaignId = :c")
                .expressionAttributeValues(Map.of(":c", AttributeValue.fromS(campaignId))).consistentRead(true).build();
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        dynamoDb.queryPaginator(query).items().forEach(items::add);
        return items;
    }

    int ledgerBatchCount(String campaignId) {
        return Integer.parseInt(campaignItem(campaignId).get("nextBatch").n());
    }

    record LedgerView(Map<String, Long> fates, Map<String, String[]> byEmail) {
    }

    /** Every recipient's recorded fate and detail, from the ledger items. */
    LedgerView ledgerFates(String campaignId, String prefix, int count) {
        Map<String, Long> fates = new TreeMap<>();
        Map<String, String[]> byEmail = new HashMap<>();
        for (Map<String, AttributeValue> item : ledgerItems(campaignId)) {
            Map<String, AttributeValue> results = item.containsKey("results") ? item.get("results").m() : Map.of();
            for (AttributeValue v : item.get("recipients").l()) {
                String email = v.s().split("\t", 2)[0];
                AttributeValue result = results.get(email);
                String fate = result == null ? "NO RESULT" : result.m().get("f").s();
                String detail = result == null || !result.m().containsKey("d") ? "" : result.m().get("d").s();
                fates.merge(fate, 1L, Long::sum);
                byEmail.put(email, new String[] {fate, detail});
            }
        }
        return new LedgerView(fates, byEmail);
    }

    record LedgerSize(double bytes, int items) {
    }

    /** The approximate DynamoDB size of the largest done ledger item (names + values, DynamoDB's sizing rules). */
    LedgerSize ledgerItemSize(String campaignId) {
        double max = 0;
        int n = 0;
        for (Map<String, AttributeValue> item : ledgerItems(campaignId)) {
            double size = 0;
            for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
                size += utf8(e.getKey()) + size(e.getValue());
            }
            max = Math.max(max, size);
            n++;
        }
        return new LedgerSize(max, n);
    }

    private static double size(AttributeValue v) {
        if (v.s() != null) {
            return utf8(v.s());
        }
        if (v.n() != null) {
            return 1 + (v.n().replace("-", "").replace(".", "").length() + 1) / 2.0;
        }
        if (v.bool() != null || v.nul() != null) {
            return 1;
        }
        if (v.hasSs()) {
            return v.ss().stream().mapToDouble(CampaignBenchmark::utf8).sum();
        }
        if (v.hasL()) {
            return 3 + v.l().stream().mapToDouble(x -> 1 + size(x)).sum();
        }
        if (v.hasM()) {
            return 3 + v.m().entrySet().stream().mapToDouble(x -> 1 + utf8(x.getKey()) + size(x.getValue())).sum();
        }
        return 0;
    }

    private static double utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    // ------------------------------------------------------------------ raw dynalite rate

    private double rawWriteRate(int count) throws Exception {
        String table = "BenchRawCampaignItems";
        dynamoDb.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("email").attributeType("S").build())
                .keySchema(KeySchemaElement.builder().attributeName("email").keyType(KeyType.HASH).build()));
        ExecutorService pool = Executors.newFixedThreadPool(RAW_THREADS);
        long start = System.nanoTime();
        List<Future<?>> calls = new ArrayList<>();
        for (int from = 0; from < count; from += 25) {
            int first = from;
            calls.add(pool.submit(() -> {
                List<WriteRequest> writes = new ArrayList<>();
                for (int i = first; i < Math.min(count, first + 25); i++) {
                    Map<String, AttributeValue> item = new HashMap<>();
                    item.put("email", AttributeValue.fromS("raw-" + i + "@raw.example.com"));
                    item.put("firstName", AttributeValue.fromS("First" + i));
                    item.put("lastName", AttributeValue.fromS("Last" + i));
                    item.put("segments", AttributeValue.fromSs(List.of("bench-main")));
                    item.put("attributes", AttributeValue.fromM(Map.of("plan", AttributeValue.fromS("free"),
                            "city", AttributeValue.fromS("City" + (i % 100)))));
                    item.put("createdAt", AttributeValue.fromS("2026-11-29T12:00:00Z"));
                    writes.add(WriteRequest.builder().putRequest(p -> p.item(item)).build());
                }
                Map<String, List<WriteRequest>> pending = Map.of(table, writes);
                while (!pending.isEmpty()) {
                    Map<String, List<WriteRequest>> request = pending;
                    pending = dynamoDb.batchWriteItem(b -> b.requestItems(request)).unprocessedItems();
                }
                return null;
            }));
        }
        for (Future<?> f : calls) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return count / seconds;
    }

    // ------------------------------------------------------------------ counting

    /** Everything counted at one moment. */
    record Snapshot(Map<String, Map<String, Double>> functionCalls, Map<String, SqsEventSource.Calls> eventSources,
            Map<String, Long> invocations, long providerCalls, Map<Integer, Long> providerByStatus, long apiMillis) {
    }

    private long apiMillisTotal;

    Snapshot snapshot() throws IOException {
        Map<String, Map<String, Double>> byFunction = ProcessMeters.awsCalls(countsDir);
        Map<String, SqsEventSource.Calls> sources = new TreeMap<>();
        for (SqsEventSource s : cloud.sqsEventSources()) {
            sources.put(s.mapping().functionLogicalId() + " <- " + s.mapping().queueLogicalId(), s.calls());
        }
        Map<String, Long> invocations = new TreeMap<>();
        cloud.functions().forEach((id, f) -> invocations.put(id, f.stats().invocations()));
        return new Snapshot(byFunction, sources, invocations, stub.calls(), stub.callsByStatus(), apiMillisTotal);
    }

    /** DynamoDB capacity units per operation key ("DynamoDb.UpdateItem") and counts, after minus before. */
    String callsReport(Snapshot before, Snapshot after, int recipients, int batches, LedgerSize ledgerSize) {
        StringBuilder r = new StringBuilder();
        double per = 1000.0 / recipients;
        r.append(String.format(Locale.ROOT, "%nAWS API calls per 1,000 recipients (this campaign only: from the send request to status sent)%n"));
        r.append(String.format(Locale.ROOT, "  %-58s %10s %9s %12s%n", "inside the functions (SDK interceptor): function / operation", "calls", "/1,000", "cap. units"));
        Map<String, Double> totalByOp = new TreeMap<>();
        double inside = 0;
        double wcu = 0;
        double rcu = 0;
        double dynamoCalls = 0;
        double sqsCalls = 0;
        double failures = 0;
        for (String function : after.functionCalls().keySet()) {
            Map<String, Double> a = after.functionCalls().get(function);
            Map<String, Double> b = before.functionCalls().getOrDefault(function, Map.of());
            for (String key : a.keySet()) {
                if (!key.endsWith(".calls")) {
                    continue;
                }
                String op = key.substring(0, key.length() - ".calls".length());
                double calls = a.get(key) - b.getOrDefault(key, 0.0);
                if (calls <= 0) {
                    continue;
                }
                double cap = a.getOrDefault(op + ".capacity", 0.0) - b.getOrDefault(op + ".capacity", 0.0);
                failures += a.getOrDefault(op + ".failures", 0.0) - b.getOrDefault(op + ".failures", 0.0);
                r.append(String.format(Locale.ROOT, "  %-58s %,10.0f %9.1f %,12.0f%n", function + " / " + op, calls, calls * per, cap));
                totalByOp.merge(op, calls, Double::sum);
                inside += calls;
                if (op.startsWith("DynamoDb.")) {
                    dynamoCalls += calls;
                    if (op.matches("DynamoDb\\.(GetItem|BatchGetItem|Query|Scan|TransactGetItems)")) {
                        rcu += cap;
                    } else {
                        wcu += cap;
                    }
                } else if (op.startsWith("Sqs.")) {
                    sqsCalls += calls;
                }
            }
        }
        r.append(String.format(Locale.ROOT, "  %-58s %,10.0f %9.1f   (failed calls among them: %.0f)%n", "subtotal inside the functions", inside, inside * per, failures));
        r.append(String.format(Locale.ROOT, "  by operation:"));
        totalByOp.forEach((op, n) -> r.append(String.format(Locale.ROOT, " %s %.1f;", op, n * per)));
        r.append('\n');

        double esm = 0;
        double esmEmpty = 0;
        double invokeSeconds = 0;
        r.append(String.format(Locale.ROOT, "  SQS event source mappings (LocalCloud's pollers):%n"));
        Map<String, Double> invokeSecondsByFunction = new TreeMap<>();
        for (String source : after.eventSources().keySet()) {
            SqsEventSource.Calls a = after.eventSources().get(source);
            SqsEventSource.Calls b = before.eventSources().getOrDefault(source, new SqsEventSource.Calls(0, 0, 0, 0));
            long receive = a.receiveMessage() - b.receiveMessage();
            long empty = a.emptyReceives() - b.emptyReceives();
            long delete = a.deleteMessageBatch() - b.deleteMessageBatch();
            double seconds = (a.invokeNanos() - b.invokeNanos()) / 1e9;
            invokeSecondsByFunction.merge(source.substring(0, source.indexOf(' ')), seconds, Double::sum);
            invokeSeconds += seconds;
            if (receive + delete == 0) {
                continue;
            }
            r.append(String.format(Locale.ROOT, "  %-58s %,10d %9.1f   (ReceiveMessage %d of them empty %d, DeleteMessageBatch %d)%n",
                    source, receive + delete, (receive + delete) * per, receive, empty, delete));
            esm += receive + delete;
            esmEmpty += empty;
        }
        double lambda = 0;
        r.append(String.format(Locale.ROOT, "  Lambda invocations:%n"));
        for (String id : after.invocations().keySet()) {
            long n = after.invocations().get(id) - before.invocations().getOrDefault(id, 0L);
            if (n > 0) {
                r.append(String.format(Locale.ROOT, "  %-58s %,10d %9.1f%n", id, n, n * per));
                lambda += n;
            }
        }
        double total = inside + esm + lambda;
        r.append(String.format(Locale.ROOT, "  TOTAL AWS calls                                            %,10.0f %9.1f   (target <= 100 per 1,000: %s)%n",
                total, total * per, total * per <= 100 ? "met" : "NOT met"));
        r.append(String.format(Locale.ROOT, "    DynamoDB %.1f, SQS %.1f (functions %.1f + event sources %.1f), Lambda %.1f per 1,000%n",
                dynamoCalls * per, (sqsCalls + esm) * per, sqsCalls * per, esm * per, lambda * per));
        long providerCalls = after.providerCalls() - before.providerCalls();
        Map<Integer, Long> byStatus = new TreeMap<>();
        after.providerByStatus().forEach((s, n) -> {
            long d = n - before.providerByStatus().getOrDefault(s, 0L);
            if (d > 0) {
                byStatus.put(s, d);
            }
        });
        r.append(String.format(Locale.ROOT, "  provider (stub) calls: %,d = %.1f per 1,000 recipients, by status %s%n",
                providerCalls, providerCalls * per, byStatus));

        // ---------------------------------------------------------------- cost
        double gbSeconds = 0;
        StringBuilder gbDetail = new StringBuilder();
        for (Map.Entry<String, Double> e : invokeSecondsByFunction.entrySet()) {
            int memory = cloud.function(e.getKey()).spec().memoryMb();
            double gbs = e.getValue() * memory / 1024.0;
            gbSeconds += gbs;
            gbDetail.append(String.format(Locale.ROOT, " %s %.1f s x %d MB;", e.getKey(), e.getValue(), memory));
        }
        double gsiWru = batches; // DoneBatches: one small keys-only index entry written per finished batch (not in dynalite's figure)
        double million = 1_000_000.0 / recipients;
        double dynamo = (wcu + gsiWru) * Cost.DYNAMODB_WRU + rcu * Cost.DYNAMODB_RRU;
        double sqsCost = (sqsCalls + esm) * Cost.SQS_REQUEST;
        double lambdaCost = lambda * Cost.LAMBDA_REQUEST + gbSeconds * Cost.LAMBDA_GB_SECOND;
        r.append(String.format(Locale.ROOT, "%nEstimated AWS cost per million recipients (on-demand, us-east-1 list prices; excludes the provider's fee)%n"));
        r.append(String.format(Locale.ROOT, "  DynamoDB  %,9.0f WRU + %,5.0f GSI WRU + %,9.0f RRU per million -> $%6.2f   (WRU/RRU as dynalite computes them from item sizes:"
                + " largest ledger item ~%.1f KB, so every write to it costs ~%d WRU)%n",
                wcu * million, gsiWru * million, rcu * million, dynamo * million, ledgerSize.bytes() / 1024, (int) Math.ceil(ledgerSize.bytes() / 1024)));
        r.append(String.format(Locale.ROOT, "  SQS       %,9.0f requests per million                      -> $%6.2f%n", (sqsCalls + esm) * million, sqsCost * million));
        r.append(String.format(Locale.ROOT, "  Lambda    %,9.0f invocations + %,7.0f GB-s per million     -> $%6.2f   (measured invocation time x template MemorySize:%s)%n",
                lambda * million, gbSeconds * million, lambdaCost * million, gbDetail));
        r.append(String.format(Locale.ROOT, "  total                                                     -> $%6.2f per million recipients ($%.4f per 1,000)%n",
                (dynamo + sqsCost + lambdaCost) * million, (dynamo + sqsCost + lambdaCost) * million / 1000));
        r.append(String.format(Locale.ROOT, "  (%.0f of the event sources' receives were empty long polls, counted as made in this run)%n", esmEmpty));
        return r.toString();
    }

    /** On-demand list prices (us-east-1, x86) used by the estimate; change them here when AWS changes them. */
    static final class Cost {
        /** DynamoDB on-demand: $0.625 per million write request units (1 WRU = one write of up to 1 KB; larger items one WRU per KB, the larger of old and new item). */
        static final double DYNAMODB_WRU = 0.625 / 1e6;
        /** DynamoDB on-demand: $0.125 per million read request units (1 RRU = a strongly consistent read of up to 4 KB, or two eventually consistent). */
        static final double DYNAMODB_RRU = 0.125 / 1e6;
        /** SQS standard queue: $0.40 per million requests (each 64 KB chunk of a request counts; beyond the monthly free tier). */
        static final double SQS_REQUEST = 0.40 / 1e6;
        /** Lambda: $0.20 per million requests. */
        static final double LAMBDA_REQUEST = 0.20 / 1e6;
        /** Lambda x86: $0.0000166667 per GB-second. */
        static final double LAMBDA_GB_SECOND = 0.0000166667;

        private Cost() {}
    }

    String memoryReport() {
        StringBuilder r = new StringBuilder(String.format(Locale.ROOT, "%nPeak resident memory (VmHWM) per function, largest process so far%n"));
        cloud.functions().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            LocalFunction f = e.getValue();
            r.append(String.format(Locale.ROOT, "  %-26s %5d MiB   (MemorySize %d MB, x%d processes, %d process starts)%n", e.getKey(),
                    f.peakRssBytes() / (1024 * 1024), f.spec().memoryMb(), f.spec().concurrency(), f.stats().processStarts()));
        });
        return r.toString();
    }

    // ------------------------------------------------------------------ faults

    private String faultRun(int count) throws Exception {
        String campaign = createCampaign("bench-faults", "faults");
        long acceptedBefore = stub.acceptedMessages();
        Map<Integer, Long> statusBefore = stub.callsByStatus();
        long callsBefore = stub.calls();
        int startsBefore = cloud.function(SEND).stats().processStarts();
        List<String> events = new ArrayList<>();
        stub.faults(0.10, 0.05);
        log("fault run: sending campaign " + campaign + " (10% 500, 5% 429, outage, kill -9, duplicate deliveries)");
        long t0 = System.nanoTime();
        api("POST", "/campaigns/" + campaign + "/send", "application/json", "{}");
        boolean duplicated = false;
        boolean outage = false;
        boolean killArmed = false;
        long deadline = t0 + Duration.ofMinutes(6).toNanos();
        String status = "sending";
        while (System.nanoTime() < deadline) {
            long accepted = stub.acceptedMessages() - acceptedBefore;
            double at = (System.nanoTime() - t0) / 1e9;
            Map<String, AttributeValue> item = campaignItem(campaign);
            status = item.get("status").s();
            if ("sent".equals(status)) {
                break;
            }
            if (!duplicated && item.get("complete").bool()) {
                int batches = Integer.parseInt(item.get("nextBatch").n());
                duplicateSendMessages(campaign, batches);
                duplicated = true;
                events.add(String.format(Locale.ROOT, "%5.1f s  enqueue complete: a second copy of every one of the %d send messages put on SendQueue", at, batches));
            }
            if (!outage && accepted >= count * 0.3) {
                stub.downFor(5_000);
                outage = true;
                events.add(String.format(Locale.ROOT, "%5.1f s  provider down for 5 s (every call answered 503) after %,d accepted", at, accepted));
            }
            if (outage && !killArmed && accepted >= count * 0.5) {
                List<String> killed = new ArrayList<>();
                stub.armKill(port -> killed.add(killCaller(port)));
                killArmed = true;
                events.add(String.format(Locale.ROOT, "%5.1f s  kill armed after %,d accepted: the next accepted provider call's caller gets kill -9 before its answer", at, accepted));
                new Thread(() -> {
                    while (killed.isEmpty()) {
                        sleepQuietly(20);
                    }
                    synchronized (events) {
                        events.add(String.format(Locale.ROOT, "%5.1f s  %s", (System.nanoTime() - t0) / 1e9, killed.get(0)));
                    }
                }).start();
            }
            Thread.sleep(100);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        stub.faults(0, 0);
        Thread.sleep(200);

        // Recipient by recipient: the stub's record against the audience, with the ledger's reasons.
        LedgerView ledger = ledgerFates(campaign, "f", count);
        int duplicates = 0;
        int missing = 0;
        Map<String, Long> missingReasons = new TreeMap<>();
        long unknownButReceived = 0;
        for (int i = 0; i < count; i++) {
            String email = address("f", i);
            int n = stub.acceptedCount(email);
            String[] fate = ledger.byEmail().getOrDefault(email, new String[] {"NOT IN LEDGER", ""});
            if (n > 1) {
                duplicates++;
            } else if (n == 0) {
                missing++;
                missingReasons.merge(fate[0] + (fate[1].isEmpty() ? "" : ": " + fate[1]), 1L, Long::sum);
            } else if ("UNKNOWN".equals(fate[0])) {
                unknownButReceived++;
            }
        }
        Map<Integer, Long> byStatus = new TreeMap<>();
        stub.callsByStatus().forEach((s, n) -> {
            long d = n - statusBefore.getOrDefault(s, 0L);
            if (d > 0) {
                byStatus.put(s, d);
            }
        });
        StringBuilder r = new StringBuilder();
        r.append(String.format(Locale.ROOT, "%nFault run (campaign %s, %,d recipients, fresh segment): status %s after %.1f s%n", campaign, count, status, seconds));
        r.append(String.format(Locale.ROOT, "  injected: 10%% of provider calls answered 500, 5%% answered 429 (on top of the rate limit's 429s), "
                + "a 5 s outage (503), one kill -9 of a send-batch process inside a provider call, every send message delivered twice%n"));
        synchronized (events) {
            events.forEach(e -> r.append("  ").append(e).append('\n'));
        }
        r.append(String.format(Locale.ROOT, "  provider calls %,d by status %s; send-batch process starts during the run: %d%n",
                stub.calls() - callsBefore, byStatus, cloud.function(SEND).stats().processStarts() - startsBefore));
        r.append(String.format(Locale.ROOT, "  ledger fates: %s%n", ledger.fates()));
        r.append(String.format(Locale.ROOT, "  recipients sent twice: %d   (target 0: %s)%n", duplicates, duplicates == 0 ? "met" : "NOT met"));
        r.append(String.format(Locale.ROOT, "  recipients never sent: %d   (target 0: %s)%s%n", missing, missing == 0 ? "met" : "NOT met",
                missingReasons.isEmpty() ? "" : "  reasons in the ledger: " + missingReasons));
        r.append(String.format(Locale.ROOT, "  recorded UNKNOWN (call interrupted by the kill) and received once by the stub: %d (not missing)%n", unknownButReceived));
        return r.toString();
    }

    private void duplicateSendMessages(String campaignId, int batches) {
        String queue = cloud.localAws().resources().queueUrl("SendQueue");
        for (int start = 0; start < batches; start += 10) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            for (int b = start; b < Math.min(batches, start + 10); b++) {
                entries.add(SendMessageBatchRequestEntry.builder().id("d" + b)
                        .messageBody("{\"campaignId\":\"" + campaignId + "\",\"batch\":" + b + "}").build());
            }
            var response = sqs.sendMessageBatch(b -> b.queueUrl(queue).entries(entries));
            if (!response.failed().isEmpty()) {
                throw new IllegalStateException("could not queue duplicates: " + response.failed());
            }
        }
    }

    /** kill -9 of the send-batch process that owns the client end of the connection from {@code clientPort}. */
    private String killCaller(int clientPort) {
        List<Long> pids = cloud.function(SEND).pids();
        Long pid = ProcSockets.owner(pids, clientPort);
        String how = "the caller";
        if (pid == null && !pids.isEmpty()) {
            pid = pids.get(0);
            how = "a send-batch process (caller not found in /proc)";
        }
        if (pid == null) {
            return "kill -9: no send-batch process found";
        }
        long p = pid;
        ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
        return "kill -9 of " + how + ", send-batch pid " + p + ", inside its provider call";
    }

    // ------------------------------------------------------------------ helpers

    /** CPU seconds (user + system) so far of dynalite, each function's live processes and this JVM (ElasticMQ, stub, pollers). */
    Map<String, Double> cpuSeconds() {
        return ProcessMeters.cpuSeconds(cloud, List.of(SEND, ENQUEUE, API), "benchmark JVM (ElasticMQ, stub, pollers)");
    }

    private String notes() {
        return String.format(Locale.ROOT, """

                What the figures include
                  - End to end: wall time from POST /campaigns/{id}/send to the campaign item's status 'sent' (read from the table every
                    100 ms), which includes enqueue-campaign's 5 s watch interval before it marks the campaign sent.
                  - AWS calls inside the functions: every SDK call of the api (the send request), enqueue-campaign and send-batch
                    processes between the send and 'sent', counted per service/operation by dev.dispatch.adapter.metrics.AwsCallCounter
                    (global SDK interceptor, on only with %s); DynamoDB capacity units are what dynalite reports for
                    ReturnConsumedCapacity=TOTAL (set by the interceptor when counting). Event sources: the ReceiveMessage and
                    DeleteMessageBatch calls of LocalCloud's pollers (Lambda's pollers make and bill these on AWS too).
                    Lambda: invocations of each function. Polling the status and seeding are not counted.
                  - Cost: an estimate from these counts at list prices (constants in CampaignBenchmark.Cost); it includes DynamoDB
                    request units (plus one GSI write per finished batch for DoneBatches, which dynalite does not report), SQS
                    requests, Lambda requests and GB-seconds (measured invocation time x MemorySize); it excludes the provider's fee,
                    failed conditional writes (billed on AWS, not reported by dynalite), storage, PITR, data transfer, CloudWatch
                    logs, X-Ray, API Gateway, and the free tiers.
                  - Settings for both runs: SendBatchFunction at %s; send lease %s (DISPATCH_SEND_LEASE, template default PT3M)
                    and SQS visibility timeout %d s for the event sources (queue: 720 s), so that a batch whose process was killed
                    or whose provider failed is retried within the run instead of after 12 minutes.
                """, COUNT_ENV, "x" + cloud.function(SEND).spec().concurrency() + " processes", LEASE, VISIBILITY_SECONDS);
    }

    /** A providers.yaml in {@code dir} limiting Postmark to {@code rate} a second and {@code quota} a day. */
    static Path providersConfig(Path dir, int rate, long quota) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("providers.yaml"), String.format(Locale.ROOT, """
                providers:
                  ses:
                    ratePerSecond: 14
                    dailyQuota: 50000
                    batchSize: 50
                  sendgrid:
                    ratePerSecond: 100
                    dailyQuota: 100000
                    batchSize: 1000
                  postmark:
                    ratePerSecond: %d
                    dailyQuota: %d
                    batchSize: 500
                """, rate, quota));
        return dir;
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static void log(String message) {
        System.out.printf(Locale.ROOT, "%tT %s%n", System.currentTimeMillis(), message);
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

}
