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
 * {@code infra/bin/benchmark [subscribers]} (default 50,000).
 */
public final class ImportBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS_PER_REQUEST = 10_000;
    private static final int RAW_THREADS = 4; // the api function's import parallelism (dispatch.importing.parallelism)
    private static final String CREATED_AT = "2026-11-29T12:00:00Z";

    private ImportBenchmark() {}

    public static void main(String[] args) throws Exception {
        int subscribers = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        LocalCloudOptions options = LocalCloudOptions.defaults().port(0).schedulesEnabled(false);
        try (LocalCloud cloud = LocalCloud.start(options)) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            DynamoDbClient dynamoDb = cloud.localAws().dynamoDb();
            createRawTable(dynamoDb);

            // Warm-up of both paths (JIT in the function and here), not measured.
            importRows(cloud, http, "warm", 2_000);
            rawWrite(dynamoDb, "warm", 2_000);

            double importSeconds = importRows(cloud, http, "bench", subscribers);
            double rawSeconds = rawWrite(dynamoDb, "bench", subscribers);
            double importRate = subscribers / importSeconds;
            double rawRate = subscribers / rawSeconds;
            double ratio = importRate / rawRate;

            String report = String.format(Locale.ROOT, """
                    Bulk import benchmark (%,d subscribers, one segment and two attributes each)
                      import, end to end:        %,8.0f rows/s   (%.1f s, %d requests of up to %,d rows)
                      raw BatchWriteItem:        %,8.0f items/s  (%.1f s, %d threads, 25 items per call)
                      import / raw:              %8.0f %%        (target: >= 50 %%)
                      api function peak RSS:     %8d MiB
                    """, subscribers, importRate, importSeconds, (subscribers + ROWS_PER_REQUEST - 1) / ROWS_PER_REQUEST,
                    ROWS_PER_REQUEST, rawRate, rawSeconds, RAW_THREADS, ratio * 100,
                    cloud.peakRssBytes("ApiFunction") / (1024 * 1024));
            System.out.println(report);
            Path out = Path.of("target", "benchmark-import.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report);
        }
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
    }

    /** The same item a profile import writes, with plain unconditional BatchWriteItem calls. */
    private static double rawWrite(DynamoDbClient dynamoDb, String run, int count) throws Exception {
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
                Map<String, List<WriteRequest>> pending = Map.of("BenchRawSubscribers", writes);
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
