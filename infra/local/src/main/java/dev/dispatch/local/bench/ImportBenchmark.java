package dev.dispatch.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudOptions;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Bulk import throughput end to end (HTTP API -> api function.zip in the Lambda runtime client -> dynalite),
 * and in the same run the raw BatchWriteItem throughput of the same dynalite for the same number of
 * subscriber-shaped items, written with the same parallelism as the import uses. Usage:
 * {@code infra/bin/benchmark [subscribers [rounds]]} (default 50,000 and 3).
 */
public final class ImportBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS_PER_REQUEST = 10_000;
    private static final int RAW_THREADS = 4; // the api function's import parallelism (dispatch.importing.parallelism)
    private static final String CREATED_AT = "2026-11-29T12:00:00Z";

    private ImportBenchmark() {}

    public static void main(String[] args) throws Exception {
        int subscribers = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        // The api's AWS calls are counted inside it (dev.dispatch.adapter.metrics.AwsCallCounter), to show what a row costs.
        Path countsDir = Path.of("target", "import-aws-call-counts").toAbsolutePath();
        if (Files.exists(countsDir)) {
            try (var old = Files.list(countsDir)) {
                for (Path f : old.toList()) {
                    Files.delete(f);
                }
            }
        }
        Files.createDirectories(countsDir);
        LocalCloudOptions options = LocalCloudOptions.defaults().port(0).schedulesEnabled(false)
                .environment("DISPATCH_COUNT_AWS_CALLS", countsDir.toString());
        try (LocalCloud cloud = LocalCloud.start(options)) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            DynamoDbClient dynamoDb = cloud.localAws().dynamoDb();
            createRawTable(dynamoDb);

            // Warm-up of both paths (JIT in the function and here), not measured.
            importRows(cloud, http, "warm", 2_000);
            rawWrite(dynamoDb, "warm", 2_000, true);

            int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
            List<double[]> results = new ArrayList<>();
            StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                    "Bulk import benchmark: %,d subscribers (one segment, two attributes each), %d rounds%n"
                    + "  round   import rows/s   raw BatchWriteItem items/s   import/raw   raw profile+membership rows/s   import/that%n",
                    subscribers, rounds));
            Map<String, Double> cpu = new java.util.LinkedHashMap<>();
            Map<String, Double> calls = new java.util.TreeMap<>();
            double importSeconds = 0;
            for (int round = 1; round <= rounds; round++) {
                Map<String, Double> cpuBefore = cpuSeconds(cloud);
                Map<String, Double> callsBefore = apiCalls(countsDir);
                double seconds = importRows(cloud, http, "r" + round + "-", subscribers);
                importSeconds += seconds;
                cpuSeconds(cloud).forEach((k, v) -> cpu.merge(k, v - cpuBefore.getOrDefault(k, 0.0), Double::sum));
                apiCalls(countsDir).forEach((k, v) -> calls.merge(k, v - callsBefore.getOrDefault(k, 0.0), Double::sum));
                double importRate = subscribers / seconds;
                double rawRate = subscribers / rawWrite(dynamoDb, "r" + round + "-", subscribers, false);
                double pairRate = subscribers / rawWrite(dynamoDb, "p" + round + "-", subscribers, true);
                results.add(new double[] {importRate, rawRate, pairRate});
                report.append(String.format(Locale.ROOT, "  %5d   %,13.0f   %,26.0f   %9.0f%%   %,29.0f   %10.0f%%%n",
                        round, importRate, rawRate, importRate / rawRate * 100, pairRate, importRate / pairRate * 100));
            }
            double importMedian = median(results, 0);
            double rawMedian = median(results, 1);
            double pairMedian = median(results, 2);
            report.append(String.format(Locale.ROOT, "  median  %,13.0f   %,26.0f   %9.0f%%   %,29.0f   %10.0f%%%n",
                    importMedian, rawMedian, importMedian / rawMedian * 100, pairMedian, importMedian / pairMedian * 100));
            report.append(String.format(Locale.ROOT, "  target: import / raw profile+membership >= 75%% (the worst round); import requests of up to %,d rows through the HTTP API;"
                    + " raw with %d threads, 25 items per call%n  api function peak RSS: %d MiB%n",
                    ROWS_PER_REQUEST, RAW_THREADS, cloud.peakRssBytes("ApiFunction") / (1024 * 1024)));
            // What limits the import: the requests it makes per row besides the raw writes, and who used the cores.
            double perThousand = 1000.0 / ((double) subscribers * rounds);
            StringBuilder made = new StringBuilder();
            calls.forEach((k, v) -> {
                if (k.startsWith("DynamoDb.") && k.endsWith(".calls") && v > 0) {
                    String op = k.substring("DynamoDb.".length(), k.length() - ".calls".length());
                    made.append(String.format(Locale.ROOT, "%s%s %.0f (%.0f items)", made.isEmpty() ? "" : ", ", op,
                            v * perThousand, calls.getOrDefault("DynamoDb." + op + ".capacity", 0.0) * perThousand));
                }
            });
            StringBuilder used = new StringBuilder(String.format(Locale.ROOT, "CPU of %.0f core-s:",
                    Runtime.getRuntime().availableProcessors() * importSeconds));
            cpu.forEach((k, v) -> used.append(String.format(Locale.ROOT, " %s %.0f s", k, v)));
            String limits = "per 1,000 rows the api makes DynamoDB " + made + " (each row's profile, suppression and"
                    + " erasure record are read before its profile and membership are written); " + used;
            report.append("  what limits it: ").append(limits).append('\n');
            System.out.println(report);
            Path out = Path.of("target", "benchmark-import.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report.toString());
            long apiRssMib = cloud.peakRssBytes("ApiFunction") / (1024 * 1024);
            double worst = results.stream().mapToDouble(r -> r[0] / r[2] * 100).min().orElse(Double.NaN);
            new BenchmarkFigures()
                    .add("import vs raw profile + membership writes (worst round)", worst, "%", ">= 75 %", worst >= 75,
                            String.format(Locale.ROOT, "%d rounds of %,d subscribers; median %.0f %%; %s", rounds, subscribers,
                                    importMedian / pairMedian * 100, limits))
                    .info("import rate (median)", importMedian, "rows/s", "load-dependent: the machine may be shared")
                    .add("api peak RSS during the import", apiRssMib, "MiB", "<= 256 MiB", apiRssMib <= 256,
                            "VmHWM of the api function's process")
                    .write("import");
        }
    }

    private static Map<String, Double> cpuSeconds(LocalCloud cloud) {
        return ProcessMeters.cpuSeconds(cloud, List.of("ApiFunction"), "benchmark JVM (HTTP client, gateway)");
    }

    /** The api function's counted AWS calls and capacity units so far ({@code DynamoDb.<op>.calls}, {@code .capacity}). */
    private static Map<String, Double> apiCalls(Path countsDir) throws java.io.IOException {
        return ProcessMeters.awsCalls(countsDir).entrySet().stream().filter(e -> e.getKey().endsWith("-api"))
                .map(Map.Entry::getValue).findFirst().orElse(Map.of());
    }

    private static double median(List<double[]> results, int column) {
        double[] values = results.stream().mapToDouble(r -> r[column]).sorted().toArray();
        return values.length % 2 == 1 ? values[values.length / 2] : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }

    private static String csv(String run, int from, int to) {
        StringBuilder csv = new StringBuilder("email,firstName,lastName,segments,plan,city\n");
        for (int i = from; i < to; i++) {
            csv.append(run).append(i).append("@bench.example.com,First").append(i).append(",Last").append(i)
                    .append(",newsletter,").append(i % 3 == 0 ? "pro" : "free").append(",City").append(i % 100).append('\n');
        }
        return csv.toString();
    }

    private static double importRows(LocalCloud cloud, HttpClient http, String run, int count) throws Exception {
        List<String> files = new ArrayList<>();
        for (int from = 0; from < count; from += ROWS_PER_REQUEST) {
            files.add(csv(run, from, Math.min(count, from + ROWS_PER_REQUEST)));
        }
        int created = 0;
        long start = System.nanoTime();
        for (String file : files) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(cloud.apiUrl("/subscribers/bulk-import"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + cloud.devApiKey())
                    .header("Content-Type", "text/csv")
                    .POST(HttpRequest.BodyPublishers.ofString(file, StandardCharsets.UTF_8))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("import answered " + response.statusCode() + ": " + response.body());
            }
            JsonNode report = JSON.readTree(response.body());
            created += report.get("created").asInt();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (created != count) {
            throw new IllegalStateException("expected " + count + " created, the import reported " + created);
        }
        return seconds;
    }

    private static void createRawTable(DynamoDbClient dynamoDb) {
        dynamoDb.createTable(b -> b.tableName("BenchRawSubscribers").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("email").attributeType("S").build())
                .keySchema(KeySchemaElement.builder().attributeName("email").keyType(KeyType.HASH).build()));
        dynamoDb.createTable(b -> b.tableName("BenchRawMembers").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("segment").attributeType("S").build(),
                        AttributeDefinition.builder().attributeName("email").attributeType("S").build())
                .keySchema(KeySchemaElement.builder().attributeName("segment").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("email").keyType(KeyType.RANGE).build()));
    }

    /**
     * The same profile item an import writes, with plain unconditional BatchWriteItem calls; with
     * {@code withMembership} also the segment membership item an import writes for each row.
     */
    private static double rawWrite(DynamoDbClient dynamoDb, String run, int count, boolean withMembership) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(RAW_THREADS);
        long start = System.nanoTime();
        List<Future<?>> batches = new ArrayList<>();
        for (int from = 0; from < count; from += 25) {
            int first = from;
            batches.add(pool.submit(() -> {
                List<WriteRequest> writes = new ArrayList<>();
                for (int i = first; i < Math.min(count, first + 25); i++) {
                    Map<String, AttributeValue> item = new HashMap<>();
                    item.put("email", AttributeValue.fromS(run + i + "@raw.example.com"));
                    item.put("firstName", AttributeValue.fromS("First" + i));
                    item.put("lastName", AttributeValue.fromS("Last" + i));
                    item.put("segments", AttributeValue.fromSs(List.of("newsletter")));
                    item.put("attributes", AttributeValue.fromM(Map.of("plan", AttributeValue.fromS("free"),
                            "city", AttributeValue.fromS("City" + (i % 100)))));
                    item.put("engagementScore", AttributeValue.fromN("0"));
                    item.put("source", AttributeValue.fromS("import"));
                    item.put("createdAt", AttributeValue.fromS(CREATED_AT));
                    item.put("updatedAt", AttributeValue.fromS(CREATED_AT));
                    writes.add(WriteRequest.builder().putRequest(p -> p.item(item)).build());
                }
                Map<String, List<WriteRequest>> pending = new HashMap<>(Map.of("BenchRawSubscribers", writes));
                if (withMembership) {
                    List<WriteRequest> memberships = new ArrayList<>();
                    for (int i = first; i < Math.min(count, first + 25); i++) {
                        Map<String, AttributeValue> member = Map.of("segment", AttributeValue.fromS("newsletter"),
                                "email", AttributeValue.fromS(run + i + "@raw.example.com"));
                        memberships.add(WriteRequest.builder().putRequest(p -> p.item(member)).build());
                    }
                    Map<String, List<WriteRequest>> membershipRequest = Map.of("BenchRawMembers", memberships);
                    while (!membershipRequest.isEmpty()) {
                        Map<String, List<WriteRequest>> request = membershipRequest;
                        membershipRequest = dynamoDb.batchWriteItem(r -> r.requestItems(request)).unprocessedItems();
                    }
                }
                while (!pending.isEmpty()) {
                    Map<String, List<WriteRequest>> request = pending;
                    pending = dynamoDb.batchWriteItem(r -> r.requestItems(request)).unprocessedItems();
                }
                return null;
            }));
        }
        for (Future<?> batch : batches) {
            batch.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return seconds;
    }
}
