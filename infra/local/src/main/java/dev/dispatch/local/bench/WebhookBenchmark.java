package dev.dispatch.local.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatch.domain.engagement.RecipientDomains;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudOptions;
import dev.dispatch.local.LocalFunction;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Webhook ingestion on the local cloud: N generated SendGrid events (a realistic mix of delivered, open, click, hard
 * and soft bounces, spam reports and unsubscribes over N/4 recipients, correlated with one real A/B campaign) posted
 * to {@code POST /webhooks/sendgrid} in signed requests of {@code --batch} events, every request three times (the
 * copies shuffled across the run) by {@code --concurrency} HTTP clients; process-webhook verifies and queues them,
 * apply-engagement applies them (both from their function.zip in the Lambda runtime client). Reports the accepted
 * rate (until the last POST got 2xx), the applied rate (until the provider's daily counters sum to N), request
 * latency, each function's peak RSS, and verifies exactly-once application: history items, the day's
 * delivery-stats counters, the campaign's counters, suppressions and the dead-letter queue. Exits 1 when any check
 * fails.
 *
 * <p>Usage: {@code infra/bin/benchmark webhooks [events] [--concurrency N] [--batch N] [--apply-concurrency N]
 * [--webhook-concurrency N] [--visibility-timeout S] [--warmup N]}; defaults 20,000, 4, 100, 2, 2, 60 s, 1,000.
 */
public final class WebhookBenchmark {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEBHOOK = "ProcessWebhookFunction";
    private static final String APPLY = "ApplyEngagementFunction";
    private static final String API = "ApiFunction";
    private static final String PROVIDER = "sendgrid";
    private static final int COPIES = 3;
    private static final String PREFIX = "wh";
    private static final String WARM_PREFIX = "whwarm";
    private static final long SEED = 20261129L;
    /**
     * DynamoDB requests and write units per 1,000 events applied by a run to compare with (e.g. the per-event
     * apply-engagement before batching), from --before-requests / --before-wcu or --before-from; the goal is a
     * third of these or less. Without them, the per-event apply-engagement's figures as this benchmark measured them
     * (2026-12-02, `infra/bin/benchmark webhooks --no-build 2000 --warmup 200 --jfr` on the code before batching).
     */
    static double beforeRequests = 11_813;
    static double beforeWcu = 9_753;
    /** A benchmark-webhooks.json of a run before batching, read when the figures are reported (--before-from). */
    static Path beforeFrom;

    /** The generated event kinds: SendGrid's event (and bounce type), its counter name, its share of the mix. */
    enum Kind {
        DELIVERED("delivered", null, "delivered", 0.45),
        OPEN("open", null, "opened", 0.30),
        CLICK("click", null, "clicked", 0.15),
        HARD_BOUNCE("bounce", "bounce", "bounced", 0.03),
        SOFT_BOUNCE("bounce", "blocked", "softBounced", 0.03),
        SPAM_REPORT("spamreport", null, "complained", 0.02),
        UNSUBSCRIBE("unsubscribe", null, "unsubscribed", 0.02);

        final String event;
        final String bounceType;
        final String counter;
        final double share;

        Kind(String event, String bounceType, String counter, double share) {
            this.event = event;
            this.bounceType = bounceType;
            this.counter = counter;
            this.share = share;
        }

        boolean suppresses() {
            return this == HARD_BOUNCE || this == SPAM_REPORT || this == UNSUBSCRIBE;
        }
    }

    record Event(int recipient, Kind kind, String eventId, long timestamp) {
    }

    private final LocalCloud cloud;
    private final DynamoDbClient dynamoDb;
    private final SqsClient sqs;
    private final PrivateKey signingKey;
    private final String campaignsTable;
    private final String countersTable;
    private final String engagementTable;
    private final String suppressionsTable;
    private final String queueUrl;
    private final String dlqUrl;
    private final HttpClient apiHttp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Path countsDir;
    /** The machine-readable figures (benchmark-webhooks.json), filled while the report is written. */
    private final List<Map<String, Object>> figures = new ArrayList<>();

    private WebhookBenchmark(LocalCloud cloud, PrivateKey signingKey, Path countsDir) {
        this.cloud = cloud;
        this.countsDir = countsDir;
        this.signingKey = signingKey;
        this.dynamoDb = cloud.localAws().dynamoDb();
        this.sqs = cloud.localAws().sqs();
        this.campaignsTable = cloud.localAws().resources().tableName("CampaignsTable");
        this.countersTable = cloud.localAws().resources().tableName("CountersTable");
        this.engagementTable = cloud.localAws().resources().tableName("EngagementTable");
        this.suppressionsTable = cloud.localAws().resources().tableName("SuppressionsTable");
        this.queueUrl = cloud.localAws().resources().queueUrl("EngagementQueue");
        this.dlqUrl = cloud.localAws().resources().queueUrl("EngagementDeadLetterQueue");
    }

    public static void main(String[] args) throws Exception {
        int events = 20_000;
        int concurrency = 4;
        int batch = 100;
        int applyConcurrency = 2;
        int webhookConcurrency = 2;
        int visibility = 60;
        int warmup = 1_000;
        boolean jfr = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jfr" -> jfr = true;
                case "--before-requests" -> beforeRequests = Double.parseDouble(args[++i]);
                case "--before-wcu" -> beforeWcu = Double.parseDouble(args[++i]);
                case "--before-from" -> beforeFrom = Path.of(args[++i]);
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--apply-concurrency" -> applyConcurrency = Integer.parseInt(args[++i]);
                case "--webhook-concurrency" -> webhookConcurrency = Integer.parseInt(args[++i]);
                case "--visibility-timeout" -> visibility = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i].replace("_", "").replace(",", ""));
                default -> {
                    if (args[i].startsWith("-")) {
                        System.err.println("Unknown option " + args[i] + "\nUsage: infra/bin/benchmark webhooks [events] [--no-build]"
                                + " [--concurrency N] [--batch N] [--apply-concurrency N] [--webhook-concurrency N]"
                                + " [--visibility-timeout S] [--warmup N] [--jfr]");
                        System.exit(2);
                    }
                    events = Integer.parseInt(args[i].replace("_", "").replace(",", ""));
                }
            }
        }
        if (events < 4 || batch < 1 || concurrency < 1) {
            System.err.println("events must be at least 4, batch and concurrency at least 1");
            System.exit(2);
        }
        long started = System.nanoTime();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        String publicKey = Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()); // X.509 SubjectPublicKeyInfo, DER

        // Every function counts its AWS calls and DynamoDB capacity units (AwsCallCounter, on only with this variable):
        // the requests and write units per 1,000 events are what the functions really sent, as dynalite answered.
        Path countsDir = Path.of("target", "webhook-aws-call-counts").toAbsolutePath();
        deleteTree(countsDir);
        Files.createDirectories(countsDir);
        LocalCloudOptions options = LocalCloudOptions.defaults().port(0).schedulesEnabled(false)
                .environment(COUNT_ENV, countsDir.toString())
                .concurrency(APPLY, applyConcurrency)
                .concurrency(WEBHOOK, webhookConcurrency)
                .parameter("SendGridWebhookPublicKey", publicKey)
                .sqsVisibilityTimeoutSeconds(visibility);
        Path jfrDir = Path.of("target", "webhook-jfr").toAbsolutePath();
        if (jfr) {
            // A flight recording of every function process (the template's flags kept), one file per process, named
            // by its pid (JDK 17 has no %p: a folder as filename gets hotspot-pid-<pid>-id-...jfr files) (the counts files name the function of each pid): `jfr print --events ExecutionSample` or
            // `jfr view hot-methods` on the apply-engagement one shows where its time goes.
            deleteTree(jfrDir);
            Files.createDirectories(jfrDir);
            options.environment("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1"
                    + " -XX:StartFlightRecording=settings=profile,filename=" + jfrDir); // a folder: hotspot-pid-<pid>-....jfr
        }
        System.out.println("Starting the local cloud (process-webhook x" + webhookConcurrency + ", apply-engagement x"
                + applyConcurrency + ", a fresh P-256 webhook key)...");
        boolean ok;
        try (LocalCloud cloud = LocalCloud.start(options)) {
            WebhookBenchmark bench = new WebhookBenchmark(cloud, keys.getPrivate(), countsDir);
            Result result = bench.run(events, batch, concurrency, warmup, visibility, started);
            ok = result.ok();
            System.out.println(result.report());
            Path out = Path.of("target", "benchmark-webhooks.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, result.report());
            Path json = Path.of("target", "benchmark-webhooks.json");
            Files.writeString(json, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(bench.figures));
            System.out.println("Written to " + out.toAbsolutePath() + " and " + json.toAbsolutePath());
        }
        if (jfr) {
            System.out.println("Flight recordings (one per function process, by pid) in " + jfrDir);
        }
        if (!ok) {
            System.out.println("FAILED: at least one check did not pass (see above).");
            System.exit(1);
        }
    }

    record Result(String report, boolean ok) {
    }

    private Result run(int n, int batch, int concurrency, int warmup, int visibility, long started) throws Exception {
        int softBounceLimit = Integer.parseInt(cloud.localAws().resources().parameter("SoftBounceLimit").trim());
        if (softBounceLimit < 3) {
            throw new IllegalStateException("the generator assumes SoftBounceLimit >= 3 (it gives an address at most 2 soft bounces): "
                    + softBounceLimit);
        }
        int recipients = Math.max(1, n / 4);
        StringBuilder r = new StringBuilder();
        r.append(String.format(Locale.ROOT, "Webhook ingestion benchmark, %s: %,d unique SendGrid events over %,d recipients, requests of %d events,"
                + " every request posted %d times (copies shuffled), %d HTTP clients; process-webhook x%d, apply-engagement x%d processes%n",
                LocalDate.now(ZoneOffset.UTC), n, recipients, batch, COPIES, concurrency,
                cloud.function(WEBHOOK).spec().concurrency(), cloud.function(APPLY).spec().concurrency()));

        // Warm-up (JIT of both functions), not measured: other addresses, dated yesterday, no campaign.
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        if (warmup > 0) {
            log("warm-up: " + warmup + " events (x" + COPIES + "), dated yesterday, other addresses");
            LocalDate yesterday = today.minusDays(1);
            List<Event> warm = generate(warmup, Math.max(1, warmup / 4), yesterday.atStartOfDay(ZoneOffset.UTC).toEpochSecond(),
                    yesterday.plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond() - 1, new Random(SEED + 1), "warm");
            List<byte[]> warmBodies = bodies(warm, batch, WARM_PREFIX, null);
            Sender warmSender = new Sender(warmBodies, concurrency);
            warmSender.sendAll();
            waitForStats(yesterday, warmup, Duration.ofMinutes(5), -1, null);
            waitForDrain(Duration.ofMinutes(3));
        }

        log("creating the A/B campaign the events are correlated with");
        String campaign = createCampaign();
        Map<String, Long> campaignBefore = counters(campaignItem(campaign));

        long dayStart = today.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        long now = Instant.now().getEpochSecond();
        List<Event> events = generate(n, recipients, dayStart, Math.max(dayStart, now - 1), new Random(SEED), "run");
        List<byte[]> bodies = bodies(events, batch, PREFIX, campaign);
        long bytes = bodies.stream().mapToLong(b -> b.length).sum();
        Expected expected = expected(events, recipients, campaign);
        log(String.format(Locale.ROOT, "posting %,d requests x %d copies (%,d POSTs, %.1f MB of bodies per copy)",
                bodies.size(), COPIES, bodies.size() * COPIES, bytes / 1e6));

        Map<String, Double> cpuBefore = cpuSeconds();
        Map<String, Map<String, Double>> callsBefore = awsCalls();
        Sender sender = new Sender(bodies, concurrency);
        long t0 = System.nanoTime();
        sender.start();
        Applied applied = waitForStats(today, n, Duration.ofMinutes(20), t0, sender);
        sender.join();
        double acceptedSeconds = (sender.lastAcceptedNanos.get() - t0) / 1e9;
        double appliedSeconds = applied.reachedNanos < 0 ? Double.NaN : (applied.reachedNanos - t0) / 1e9;
        log("all POSTs answered 2xx after " + String.format(Locale.ROOT, "%.1f s", acceptedSeconds)
                + "; waiting for the EngagementQueue to drain");
        long drainedNanos = waitForDrain(Duration.ofSeconds(visibility * 6L + 120));
        double drainedSeconds = drainedNanos < 0 ? Double.NaN : (drainedNanos - t0) / 1e9;
        // The counters must stay exactly at N once every copy has been processed.
        long stable = -1;
        boolean stayed = true;
        for (int i = 0; i < 10; i++) {
            long sum = sum(dayStats(today));
            if (stable >= 0 && sum != stable) {
                stayed = false;
            }
            stable = sum;
            Thread.sleep(500);
        }
        Map<String, Double> cpuAfter = cpuSeconds();
        Thread.sleep(1_500); // the counters' files are rewritten every 0.5 s
        Map<String, Map<String, Double>> callsAfter = awsCalls();
        double wall = (drainedNanos < 0 ? System.nanoTime() : drainedNanos) - t0;

        // ---------------------------------------------------------------- throughput
        boolean ok = true;
        r.append(String.format(Locale.ROOT, "%nThroughput (campaign %s; %,d requests of <= %d events, %.1f MB per copy)%n",
                campaign, bodies.size(), batch, bytes / 1e6));
        r.append(String.format(Locale.ROOT, "  accepted: first POST -> last POST answered 2xx       %8.1f s  %,8.0f events/s   (%,.0f events/s incl. copies, %,.1f requests/s)%n",
                acceptedSeconds, n / acceptedSeconds, (double) n * COPIES / acceptedSeconds, bodies.size() * COPIES / acceptedSeconds));
        r.append(String.format(Locale.ROOT, "  applied:  first POST -> day's counters sum to N       %8.1f s  %,8.0f events/s%n",
                appliedSeconds, n / appliedSeconds));
        r.append(String.format(Locale.ROOT, "  drained:  first POST -> EngagementQueue empty (all copies processed) %5.1f s%n", drainedSeconds));
        r.append(String.format(Locale.ROOT, "  request latency (each POST attempt, client side): p50 %.0f ms, p99 %.0f ms, max %.0f ms over %,d attempts%n",
                sender.percentile(50), sender.percentile(99), sender.percentile(100), sender.latencies.size()));
        r.append(String.format(Locale.ROOT, "  POSTs: %,d answered 2xx, %,d retried (non-2xx answers by status: %s; transport errors: %d)%n",
                sender.accepted.get(), sender.retries.get(), new TreeMap<>(sender.failuresByStatus), sender.transportErrors.get()));
        r.append(String.format(Locale.ROOT, "  CPU used from the first POST to the drained queue (of %d cores x %.1f s = %.0f core-s):",
                Runtime.getRuntime().availableProcessors(), wall / 1e9, Runtime.getRuntime().availableProcessors() * wall / 1e9));
        cpuAfter.forEach((k, v) -> r.append(String.format(Locale.ROOT, " %s %.1f s;", k, v - cpuBefore.getOrDefault(k, 0.0))));
        r.append('\n');
        // What limits the rates here: the cores, shared by the emulators and the functions (the CPU split below).
        StringBuilder cpu = new StringBuilder(String.format(Locale.ROOT, "; CPU of %.0f core-s:",
                Runtime.getRuntime().availableProcessors() * wall / 1e9));
        cpuAfter.forEach((k, v) -> cpu.append(String.format(Locale.ROOT, " %s %.0f s", k, v - cpuBefore.getOrDefault(k, 0.0))));
        figure("webhook events accepted", n / acceptedSeconds, "events/s", ">= 1000", n / acceptedSeconds >= 1000,
                "first POST to the last POST answered 2xx; every request posted 3 times" + cpu);
        figure("webhook events applied", n / appliedSeconds, "events/s", ">= 1000", n / appliedSeconds >= 1000,
                "first POST to the day's counters summing to N; `--jfr` records where each process spends it" + cpu);
        r.append(callsReport(callsBefore, callsAfter, n));

        // ---------------------------------------------------------------- checks
        log("verifying: history per address, counters, campaign, suppressions, DLQ");
        r.append(String.format(Locale.ROOT, "%nExactly once (checked after the queue drained)%n"));
        HistoryCheck history = history(events, recipients);
        long lost = n - history.applied;
        ok &= lost == 0 && history.unexpected == 0;
        r.append(String.format(Locale.ROOT, "  lost:           %,d   (N - history items with state 'applied' for the generated events: %,d of %,d; one Query per address)%s%n",
                lost, history.applied, n, lost == 0 ? "" : "  missing by type: " + history.missingByKind));
        if (history.pending > 0 || history.unexpected > 0) {
            r.append(String.format(Locale.ROOT, "                  history items not applied: %,d; unexpected history items: %,d%n", history.pending, history.unexpected));
        }
        Map<String, Long> stats = dayStats(today);
        long sum = sum(stats);
        long doubles = sum - n;
        ok &= doubles == 0 && stayed;
        r.append(String.format(Locale.ROOT, "  double-counted: %,d   (sum of the day's delivery-stats counters %,d - N; %s for 5 s after the queue drained)%n",
                doubles, sum, stayed ? "unchanged" : "CHANGED"));
        List<String> statDiffs = diff(expected.stats, stats);
        ok &= statDiffs.isEmpty();
        r.append(String.format(Locale.ROOT, "  delivery-stats %s#%s: %s%n", today, PROVIDER, statDiffs.isEmpty() ? "every counter exact " + stats : "MISMATCH " + statDiffs));

        Map<String, Long> campaignAfter = counters(campaignItem(campaign));
        Map<String, Long> campaignDelta = new TreeMap<>();
        campaignAfter.forEach((k, v) -> {
            long d = v - campaignBefore.getOrDefault(k, 0L);
            if (d != 0) {
                campaignDelta.put(k, d);
            }
        });
        List<String> campaignDiffs = diff(expected.campaign, campaignDelta);
        ok &= campaignDiffs.isEmpty();
        r.append(String.format(Locale.ROOT, "  campaign counters (%d, totals and uniques, overall, per variant and per recipient domain group): %s%n", expected.campaign.size(),
                campaignDiffs.isEmpty() ? "every one exact" : "MISMATCH " + campaignDiffs));
        r.append(String.format(Locale.ROOT, "    opened %,d (unique %,d: A %,d, B %,d), clicked %,d (unique %,d), delivered %,d%n",
                campaignDelta.getOrDefault("opened", 0L), campaignDelta.getOrDefault("uniqueOpened", 0L),
                campaignDelta.getOrDefault("variant.A.uniqueOpened", 0L), campaignDelta.getOrDefault("variant.B.uniqueOpened", 0L),
                campaignDelta.getOrDefault("clicked", 0L), campaignDelta.getOrDefault("uniqueClicked", 0L),
                campaignDelta.getOrDefault("delivered", 0L)));

        SuppressionCheck suppressions = suppressions(expected.suppressed, warmup);
        boolean suppressionsOk = suppressions.missing.isEmpty() && suppressions.unexpected.isEmpty();
        ok &= suppressionsOk;
        r.append(String.format(Locale.ROOT, "  suppressions:   %,d expected (addresses with a hard bounce, spam report or unsubscribe; no address has more than %d soft bounces,"
                + " SoftBounceLimit %d), %,d found: %s%n", expected.suppressed.size(), expected.maxSoftPerAddress(), softBounceLimit, suppressions.found,
                suppressionsOk ? "exact" : "MISMATCH: missing " + head(suppressions.missing) + ", unexpected " + head(suppressions.unexpected)));
        long dlq = queueDepth(dlqUrl);
        long[] left = queueCounts(queueUrl);
        ok &= dlq == 0 && left[0] + left[1] == 0;
        r.append(String.format(Locale.ROOT, "  DLQ:            %,d messages in EngagementDeadLetterQueue; EngagementQueue left: %d visible, %d in flight%n",
                dlq, left[0], left[1]));
        r.append(String.format(Locale.ROOT, "  result:         %s%n", ok ? "every check passed" : "FAILED"));
        figure("engagement events lost", lost, "events", "0", lost == 0, "history items not applied for generated events");
        figure("engagement events double-counted", doubles, "events", "0", doubles == 0 && stayed,
                "sum of the day's delivery-stats counters minus N");
        figure("engagement exactly-once checks", ok ? 1 : 0, "passed", "1", ok,
                "history, delivery stats, campaign counters, suppressions, DLQ");

        r.append(memoryReport());
        r.append(String.format(Locale.ROOT, "%nWhole benchmark: %.0f s (local cloud start %.0f s)%n",
                (System.nanoTime() - started) / 1e9, cloud.startMillis() / 1e3));
        r.append(notes(n, recipients, expected, visibility, warmup));
        return new Result(r.toString(), ok);
    }

    // ------------------------------------------------------------------ generation

    /**
     * N events over {@code recipients} addresses: the mix's exact counts, shuffled, recipient {@code i % recipients}
     * for event i (so every address has N/recipients events), at most 2 soft bounces per address (extra ones swapped
     * with another address's non-soft event), unique ids, timestamps uniform in [from, to] (unix seconds), then the
     * whole list shuffled so an address's events are spread over the requests.
     */
    static List<Event> generate(int n, int recipients, long from, long to, Random random, String tag) {
        List<Kind> kinds = new ArrayList<>(n);
        int assigned = 0;
        for (Kind k : Kind.values()) {
            if (k == Kind.DELIVERED) {
                continue;
            }
            int count = (int) Math.floor(n * k.share);
            for (int i = 0; i < count; i++) {
                kinds.add(k);
            }
            assigned += count;
        }
        for (int i = assigned; i < n; i++) {
            kinds.add(Kind.DELIVERED);
        }
        Collections.shuffle(kinds, random);
        int[] soft = new int[recipients];
        for (int i = 0; i < n; i++) {
            if (kinds.get(i) == Kind.SOFT_BOUNCE) {
                soft[i % recipients]++;
            }
        }
        for (int i = 0; i < n; i++) {
            int rcpt = i % recipients;
            if (kinds.get(i) != Kind.SOFT_BOUNCE || soft[rcpt] <= 2) {
                continue;
            }
            for (int tries = 0; tries < 100 * n; tries++) {
                int j = random.nextInt(n);
                int other = j % recipients;
                if (kinds.get(j) != Kind.SOFT_BOUNCE && soft[other] < 2) {
                    kinds.set(i, kinds.get(j));
                    kinds.set(j, Kind.SOFT_BOUNCE);
                    soft[other]++;
                    soft[rcpt]--;
                    break;
                }
            }
        }
        List<Event> events = new ArrayList<>(n);
        byte[] id = new byte[16];
        for (int i = 0; i < n; i++) {
            random.nextBytes(id);
            String eventId = Base64.getUrlEncoder().withoutPadding().encodeToString(id) + "-" + tag + i;
            long ts = from + (long) (random.nextDouble() * (to - from + 1));
            events.add(new Event(i % recipients, kinds.get(i), eventId, Math.min(ts, to)));
        }
        Collections.shuffle(events, random);
        return events;
    }

    static String address(String prefix, int i) {
        return prefix + "-" + i + "@bench.example.com";
    }

    /** The request bodies: JSON arrays of {@code batch} events each, as SendGrid posts them. */
    private static List<byte[]> bodies(List<Event> events, int batch, String prefix, String campaign) throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        for (int from = 0; from < events.size(); from += batch) {
            ArrayNode array = JSON.createArrayNode();
            for (Event e : events.subList(from, Math.min(events.size(), from + batch))) {
                array.add(eventJson(e, prefix, campaign));
            }
            bodies.add(JSON.writeValueAsBytes(array));
        }
        return bodies;
    }

    private static ObjectNode eventJson(Event e, String prefix, String campaign) throws Exception {
        String email = address(prefix, e.recipient());
        ObjectNode o = JSON.createObjectNode();
        o.put("email", email);
        o.put("timestamp", e.timestamp());
        String messageId = Integer.toHexString(e.recipient() * 7919 + 12345) + ".filterdrecv-bench-" + e.recipient();
        o.put("smtp-id", "<" + messageId + "@ismtpd0001p1iad2.sendgrid.net>");
        o.put("event", e.kind().event);
        o.putArray("category").add("newsletter");
        o.put("sg_event_id", e.eventId());
        o.put("sg_message_id", messageId + ".0");
        switch (e.kind()) {
            case DELIVERED -> o.put("response", "250 2.0.0 OK 1700000000 bench");
            case OPEN -> o.put("useragent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36").put("ip", "203.0.113.7")
                    .put("sg_machine_open", false);
            case CLICK -> o.put("useragent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15").put("ip", "203.0.113.8")
                    .put("url", "https://www.example.com/news?utm_source=dispatch&n=" + (e.recipient() % 3))
                    .putObject("url_offset").put("index", e.recipient() % 3).put("type", "html");
            case HARD_BOUNCE -> o.put("type", "bounce").put("status", "5.1.1").put("bounce_classification", "Invalid Address")
                    .put("reason", "550 5.1.1 The email account that you tried to reach does not exist.");
            case SOFT_BOUNCE -> o.put("type", "blocked").put("status", "4.2.2").put("bounce_classification", "Mailbox Unavailable")
                    .put("reason", "452 4.2.2 The email account that you tried to reach is over quota.");
            case SPAM_REPORT, UNSUBSCRIBE -> { }
            default -> throw new IllegalStateException();
        }
        if (campaign != null) {
            o.put("campaignId", campaign);
            o.put("variant", variant(e.recipient()));
            o.put("recipient", recipientKey(email));
            o.put("batchId", campaign + "-" + (e.recipient() / 250));
        }
        return o;
    }

    /** The variant an address got: alternating, so the split is 50/50. */
    static String variant(int recipient) {
        return recipient % 2 == 0 ? "A" : "B";
    }

    /** First 16 bytes of SHA-256 of the address, hex (OutgoingMessage's recipient correlation key). */
    static String recipientKey(String address) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(address.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest, 0, 16);
    }

    /** EngagementRecorder.eventKey: provider, event id and address, SHA-256, first 16 bytes hex. */
    static String eventKey(String eventId, String address) throws Exception {
        String identity = PROVIDER + '\u0000' + eventId + '\u0000' + address;
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8)), 0, 16);
    }

    // ------------------------------------------------------------------ expectations

    /** {@code stats}: the provider's day counters, totals and per recipient domain group. */
    record Expected(Map<Kind, Long> byKind, Map<String, Long> stats, Map<String, Long> campaign, Set<String> suppressed,
            int maxSoftPerAddress) {
    }

    private static Expected expected(List<Event> events, int recipients, String campaign) {
        Map<Kind, Long> byKind = new EnumMap<>(Kind.class);
        Map<String, Long> counts = new TreeMap<>();
        Map<String, Set<Integer>> unique = new HashMap<>();
        Set<String> suppressed = new TreeSet<>();
        int[] soft = new int[recipients];
        Map<String, Long> stats = new TreeMap<>();
        Map<String, Set<Integer>> uniqueByDomain = new HashMap<>();
        for (Event e : events) {
            byKind.merge(e.kind(), 1L, Long::sum);
            String counter = e.kind().counter;
            String v = "variant." + variant(e.recipient()) + ".";
            String group = RecipientDomains.groupOf(address(PREFIX, e.recipient()));
            counts.merge(counter, 1L, Long::sum);
            counts.merge(v + counter, 1L, Long::sum);
            counts.merge(RecipientDomains.counter(group, counter), 1L, Long::sum);
            stats.merge(counter, 1L, Long::sum);
            stats.merge(RecipientDomains.counter(group, counter), 1L, Long::sum);
            unique.computeIfAbsent(counter, c -> new HashSet<>()).add(e.recipient());
            uniqueByDomain.computeIfAbsent(RecipientDomains.counter(group, counter), c -> new HashSet<>()).add(e.recipient());
            if (e.kind().suppresses()) {
                suppressed.add(address(PREFIX, e.recipient()));
            }
            if (e.kind() == Kind.SOFT_BOUNCE) {
                soft[e.recipient()]++;
            }
        }
        unique.forEach((counter, set) -> {
            String u = "unique" + Character.toUpperCase(counter.charAt(0)) + counter.substring(1);
            counts.put(u, (long) set.size());
            for (String variant : List.of("A", "B")) {
                long c = set.stream().filter(i -> variant(i).equals(variant)).count();
                if (c > 0) {
                    counts.put("variant." + variant + "." + u, c);
                }
            }
        });
        uniqueByDomain.forEach((domainCounter, set) -> {
            int cut = domainCounter.lastIndexOf('.') + 1;
            String u = domainCounter.substring(0, cut) + "unique" + Character.toUpperCase(domainCounter.charAt(cut))
                    + domainCounter.substring(cut + 1);
            counts.put(u, (long) set.size());
        });
        return new Expected(byKind, stats, counts, suppressed, Arrays.stream(soft).max().orElse(0));
    }

    private static List<String> diff(Map<String, Long> expected, Map<String, Long> actual) {
        List<String> diffs = new ArrayList<>();
        Set<String> names = new TreeSet<>(expected.keySet());
        names.addAll(actual.keySet());
        for (String name : names) {
            long e = expected.getOrDefault(name, 0L);
            long a = actual.getOrDefault(name, 0L);
            if (e != a) {
                diffs.add(name + " expected " + e + " got " + a);
            }
        }
        return diffs;
    }

    // ------------------------------------------------------------------ sending

    /** Posts every body COPIES times, the copies shuffled, from {@code clients} threads; retries until 2xx. */
    private final class Sender {
        private final List<byte[]> bodies;
        private final int clients;
        private final int[] order;
        private final AtomicInteger next = new AtomicInteger();
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong retries = new AtomicLong();
        final AtomicLong transportErrors = new AtomicLong();
        final AtomicLong lastAcceptedNanos = new AtomicLong();
        final Map<Integer, Long> failuresByStatus = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        private final AtomicInteger logged = new AtomicInteger();
        private final List<Thread> threads = new ArrayList<>();
        private volatile Throwable failure;

        Sender(List<byte[]> bodies, int clients) {
            this.bodies = bodies;
            this.clients = clients;
            List<Integer> copies = new ArrayList<>(bodies.size() * COPIES);
            for (int c = 0; c < COPIES; c++) {
                for (int i = 0; i < bodies.size(); i++) {
                    copies.add(i);
                }
            }
            Collections.shuffle(copies, new Random(SEED + bodies.size()));
            this.order = copies.stream().mapToInt(Integer::intValue).toArray();
        }

        int total() {
            return order.length;
        }

        void start() {
            for (int c = 0; c < clients; c++) {
                Thread t = new Thread(this::work, "webhook-client-" + c);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        void join() throws InterruptedException {
            for (Thread t : threads) {
                t.join();
            }
            if (failure != null) {
                throw new IllegalStateException("a webhook client failed", failure);
            }
        }

        void sendAll() throws InterruptedException {
            start();
            join();
        }

        boolean done() {
            return accepted.get() >= order.length || failure != null;
        }

        private void work() {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
            try {
                int i;
                while ((i = next.getAndIncrement()) < order.length) {
                    post(http, bodies.get(order[i]));
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        private void post(HttpClient http, byte[] body) throws Exception {
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            for (int attempt = 1; ; attempt++) {
                String timestamp = Long.toString(Instant.now().getEpochSecond()); // signed at the time of sending
                Signature signer = Signature.getInstance("SHA256withECDSA");
                signer.initSign(signingKey);
                signer.update(timestamp.getBytes(StandardCharsets.UTF_8));
                signer.update(body);
                String signature = Base64.getEncoder().encodeToString(signer.sign());
                HttpRequest request = HttpRequest.newBuilder(cloud.apiUrl("/webhooks/sendgrid")).timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .header("User-Agent", "SendGrid Event API")
                        .header("X-Twilio-Email-Event-Webhook-Signature", signature)
                        .header("X-Twilio-Email-Event-Webhook-Timestamp", timestamp)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build();
                long start = System.nanoTime();
                int status;
                String answer;
                try {
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    status = response.statusCode();
                    answer = response.body();
                } catch (IOException e) {
                    status = -1;
                    answer = e.toString();
                    transportErrors.incrementAndGet();
                }
                long end = System.nanoTime();
                latencies.add(end - start);
                if (status >= 200 && status < 300) {
                    accepted.incrementAndGet();
                    lastAcceptedNanos.accumulateAndGet(end, Math::max);
                    return;
                }
                retries.incrementAndGet();
                if (status > 0) {
                    failuresByStatus.merge(status, 1L, Long::sum);
                }
                if (logged.getAndIncrement() < 5) {
                    log("POST /webhooks/sendgrid answered " + status + " (will retry): "
                            + (answer == null ? "" : answer.substring(0, Math.min(300, answer.length()))));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("a request was not accepted within 10 minutes; last answer " + status + ": " + answer);
                }
                Thread.sleep(Math.min(2_000, 100L * attempt));
            }
        }

        /** Percentile of the attempts' latencies in ms (100 = max). */
        double percentile(double p) {
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
        }
    }

    // ------------------------------------------------------------------ waiting

    record Applied(long reachedNanos) {
    }

    /**
     * Polls the day's delivery-stats item every 500 ms until its counters sum to {@code n} (and, with a sender,
     * until the sender is done), logging progress every 5 s. Gives up after {@code limit}, or once the sender is
     * done and the queue has been empty (nothing visible or in flight) for 15 s without the sum reaching n.
     */
    private Applied waitForStats(LocalDate day, long n, Duration limit, long t0, Sender sender) throws Exception {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        long reached = -1;
        long emptySince = -1;
        long lastLog = start;
        while (System.nanoTime() < deadline) {
            long sum = sum(dayStats(day));
            long at = System.nanoTime();
            if (sum >= n && reached < 0) {
                reached = at;
            }
            boolean sent = sender == null || sender.done();
            if (reached >= 0 && sent) {
                break;
            }
            long[] q = queueCounts(queueUrl);
            if (sent && q[0] + q[1] + q[2] == 0) {
                if (emptySince < 0) {
                    emptySince = at;
                } else if (at - emptySince > 15_000_000_000L) {
                    log("the queue has been empty for 15 s but the counters sum to " + sum + " of " + n + ": giving up waiting");
                    break;
                }
            } else {
                emptySince = -1;
            }
            if (at - lastLog >= 5_000_000_000L) {
                lastLog = at;
                log(String.format(Locale.ROOT, "%5.0f s  POSTs 2xx %s  counters %,d / %,d  queue %,d visible, %,d in flight",
                        (at - (t0 < 0 ? start : t0)) / 1e9, sender == null ? "-" : String.format(Locale.ROOT, "%,d / %,d (retries %d)",
                                sender.accepted.get(), sender.total(), sender.retries.get()), sum, n, q[0], q[1]));
            }
            Thread.sleep(500);
        }
        return new Applied(reached);
    }

    /** Waits until the EngagementQueue has nothing visible, in flight or delayed; returns when, or -1. */
    private long waitForDrain(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        long lastLog = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long[] q = queueCounts(queueUrl);
            if (q[0] + q[1] + q[2] == 0) {
                return System.nanoTime();
            }
            if (System.nanoTime() - lastLog >= 5_000_000_000L) {
                lastLog = System.nanoTime();
                log(String.format(Locale.ROOT, "draining: %,d visible, %,d in flight, %,d delayed", q[0], q[1], q[2]));
            }
            Thread.sleep(250);
        }
        return -1;
    }

    private long[] queueCounts(String url) {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return new long[] {
            Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0")),
            Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0")),
            Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED, "0"))};
    }

    private long queueDepth(String url) {
        long[] q = queueCounts(url);
        return q[0] + q[1] + q[2];
    }

    // ------------------------------------------------------------------ reading the tables

    /** The n_* counters of the day's delivery-stats item for SendGrid (names without the prefix). */
    private Map<String, Long> dayStats(LocalDate day) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(countersTable).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS("delivery-stats"), "sk", AttributeValue.fromS(day + "#" + PROVIDER)))).item();
        return counters(item);
    }

    private static Map<String, Long> counters(Map<String, AttributeValue> item) {
        Map<String, Long> counts = new TreeMap<>();
        if (item != null) {
            item.forEach((name, value) -> {
                if (name.startsWith("n_") && value.n() != null) {
                    counts.put(name.substring(2), Long.parseLong(value.n()));
                }
            });
        }
        return counts;
    }

    /** The events counted, each once: the per-recipient-domain counters split the same events again, so not those. */
    private static long sum(Map<String, Long> counts) {
        return counts.entrySet().stream().filter(e -> !RecipientDomains.isDomainCounter(e.getKey()))
                .mapToLong(Map.Entry::getValue).sum();
    }

    private Map<String, AttributeValue> campaignItem(String id) {
        return dynamoDb.getItem(b -> b.tableName(campaignsTable).key(Map.of("id", AttributeValue.fromS(id))).consistentRead(true)).item();
    }

    record HistoryCheck(long applied, long pending, long unexpected, Map<Kind, Long> missingByKind) {
    }

    /** One Query per generated address: its history items against the events generated for it. */
    private HistoryCheck history(List<Event> events, int recipients) throws Exception {
        Map<Integer, Map<String, Kind>> byRecipient = new HashMap<>();
        for (Event e : events) {
            String email = address(PREFIX, e.recipient());
            String sk = String.format(Locale.ROOT, "evt#%015d#%s", e.timestamp() * 1000, eventKey(e.eventId(), email));
            byRecipient.computeIfAbsent(e.recipient(), k -> new HashMap<>()).put(sk, e.kind());
        }
        AtomicLong applied = new AtomicLong();
        AtomicLong pending = new AtomicLong();
        AtomicLong unexpected = new AtomicLong();
        Map<Kind, Long> missing = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> jobs = new ArrayList<>();
        for (int i = 0; i < recipients; i++) {
            int rcpt = i;
            jobs.add(pool.submit(() -> {
                Map<String, Kind> wanted = byRecipient.getOrDefault(rcpt, Map.of());
                QueryRequest query = QueryRequest.builder().tableName(engagementTable).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :evt)")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("sub#" + address(PREFIX, rcpt)),
                                ":evt", AttributeValue.fromS("evt#")))
                        .build();
                Set<String> found = new HashSet<>();
                dynamoDb.queryPaginator(query).items().forEach(item -> {
                    String sk = item.get("sk").s();
                    AttributeValue state = item.get("state");
                    if (!wanted.containsKey(sk)) {
                        unexpected.incrementAndGet();
                    } else if (state != null && "applied".equals(state.s())) {
                        applied.incrementAndGet();
                        found.add(sk);
                    } else {
                        pending.incrementAndGet();
                    }
                });
                wanted.forEach((sk, kind) -> {
                    if (!found.contains(sk)) {
                        missing.merge(kind, 1L, Long::sum);
                    }
                });
                return null;
            }));
        }
        for (Future<?> f : jobs) {
            f.get();
        }
        pool.shutdown();
        return new HistoryCheck(applied.get(), pending.get(), unexpected.get(), new TreeMap<>(missing));
    }

    record SuppressionCheck(int found, List<String> missing, List<String> unexpected) {
    }

    /**
     * Scans the Suppressions table: the generated addresses in it must be exactly the expected ones; anything else
     * must be a warm-up address.
     */
    private SuppressionCheck suppressions(Set<String> expected, int warmup) {
        Set<String> found = new TreeSet<>();
        List<String> unexpected = new ArrayList<>();
        dynamoDb.scanPaginator(ScanRequest.builder().tableName(suppressionsTable).consistentRead(true).build()).items().forEach(item -> {
            String email = item.get("email").s();
            if (email.startsWith(PREFIX + "-")) {
                found.add(email);
                if (!expected.contains(email)) {
                    unexpected.add(email);
                }
            } else if (!email.startsWith(WARM_PREFIX + "-")) {
                unexpected.add(email);
            }
        });
        List<String> missing = new ArrayList<>();
        for (String e : expected) {
            if (!found.contains(e)) {
                missing.add(e);
            }
        }
        return new SuppressionCheck(found.size(), missing, unexpected);
    }

    private static String head(List<String> list) {
        return list.size() + (list.isEmpty() ? "" : " " + list.subList(0, Math.min(5, list.size())));
    }

    // ------------------------------------------------------------------ API

    private String createCampaign() throws Exception {
        ObjectNode c = JSON.createObjectNode()
                .put("name", "Webhook benchmark")
                .put("fromEmail", "news@example.com")
                .put("fromName", "Dispatch Benchmark")
                .put("subject", "Hello {{default firstName \"there\"}}, your November update")
                .put("html", "<h1>Hi {{default firstName \"there\"}}!</h1><p><a href=\"https://www.example.com/news\">Read more</a></p>"
                        + "<p><a href=\"{{unsubscribeUrl}}\">Unsubscribe</a></p>");
        c.putArray("segments").add("bench-webhooks");
        c.putArray("providers").add(PROVIDER);
        var variants = c.putArray("variants");
        variants.addObject().put("id", "A").put("percent", 50);
        variants.addObject().put("id", "B").put("percent", 50).put("subject", "{{default firstName \"Friend\"}}, the November update is here");
        HttpRequest request = HttpRequest.newBuilder(cloud.apiUrl("/campaigns")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + cloud.devApiKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(c.toString(), StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response = apiHttp.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException("POST /campaigns answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body()).get("id").asText();
    }

    // ------------------------------------------------------------------ report helpers

    private String memoryReport() {
        StringBuilder r = new StringBuilder(String.format(Locale.ROOT, "%nPeak resident memory (VmHWM) per function, largest process so far%n"));
        cloud.functions().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            LocalFunction f = e.getValue();
            LocalFunction.Stats s = f.stats();
            r.append(String.format(Locale.ROOT, "  %-26s %5d MiB   (MemorySize %d MB, x%d processes, %d process starts, %,d invocations, %d errors)%n",
                    e.getKey(), f.peakRssBytes() / (1024 * 1024), f.spec().memoryMb(), f.spec().concurrency(), s.processStarts(),
                    s.invocations(), s.errors()));
        });
        return r.toString();
    }

    /** CPU seconds (user + system) so far of dynalite, the two functions' live processes and this JVM (ElasticMQ, clients). */
    private Map<String, Double> cpuSeconds() {
        return ProcessMeters.cpuSeconds(cloud, List.of(WEBHOOK, APPLY), "benchmark JVM (ElasticMQ, gateway, pollers, clients)");
    }

    private String notes(int n, int recipients, Expected expected, int visibility, int warmup) {
        StringBuilder mix = new StringBuilder();
        expected.byKind().forEach((k, v) -> mix.append(String.format(Locale.ROOT, " %s%s %,d;", k.event,
                k.bounceType == null ? "" : "/" + k.bounceType, v)));
        return String.format(Locale.ROOT, """

                What the figures include
                  - Events:%s each with a unique sg_event_id, a timestamp within today (UTC) and the campaign's
                    correlation custom args (campaignId, variant A/B by address, recipient key, batchId); %,d recipients,
                    at most %d soft bounces each (so no address reaches SoftBounceLimit soft bounces in a row).
                  - Every request is signed (ECDSA P-256, SHA-256 over timestamp + body) at the time of each attempt with a key pair
                    generated for this run; every request body is posted %d times, the copies shuffled over the run. Non-2xx answers
                    and transport errors are retried (counted), never dropped.
                  - Accepted: from the first POST to the last POST answered 2xx (process-webhook answers once the events are on the
                    EngagementQueue). Applied: from the first POST to the first 500 ms poll of the Counters item
                    delivery-stats/<today>#sendgrid whose counters sum to N. Drained: until the EngagementQueue has nothing visible,
                    in flight or delayed (every copy processed); the checks run after that and after 5 s of unchanged counters.
                  - Latency: each POST attempt as the client sees it, through LocalCloud's HTTP API gateway (API Gateway v2 events).
                  - Warm-up before the measured run: %,d events (x%d copies) for other addresses, dated yesterday, without a
                    campaign, so they touch neither today's counters nor the campaign.
                  - EngagementQueue received with a %d s visibility timeout (queue: 360 s), so a message whose attempt failed
                    (e.g. a copy still busy elsewhere) is retried within the run.
                """, mix, recipients, expected.maxSoftPerAddress(), COPIES, warmup, COPIES, visibility);
    }

    // ------------------------------------------------------------------ AWS calls and DynamoDB capacity

    private static final String COUNT_ENV = "DISPATCH_COUNT_AWS_CALLS"; // dev.dispatch.adapter.metrics.AwsCallCounter.ENV

    private Map<String, Map<String, Double>> awsCalls() throws IOException {
        return ProcessMeters.awsCalls(countsDir);
    }

    /**
     * DynamoDB requests, write and read capacity units and SQS calls per 1,000 events (N unique, every copy
     * included), per function and operation, from the first POST until the queue drained: what the functions sent,
     * counted inside them by the SDK interceptor, with the capacity units dynalite returned for each request.
     */
    private String callsReport(Map<String, Map<String, Double>> before, Map<String, Map<String, Double>> after, int n) {
        StringBuilder r = new StringBuilder();
        double per = 1000.0 / n;
        r.append(String.format(Locale.ROOT, "%nAWS calls per 1,000 events applied (N = %,d unique events; their copies included), counted inside the functions%n", n));
        r.append(String.format(Locale.ROOT, "  %-62s %10s %9s %12s %9s%n", "function / operation", "calls", "/1,000", "cap. units", "/1,000"));
        double dynamoCalls = 0;
        double wcu = 0;
        double rcu = 0;
        double sqsCalls = 0;
        for (String function : after.keySet()) {
            Map<String, Double> a = after.get(function);
            Map<String, Double> b = before.getOrDefault(function, Map.of());
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
                r.append(String.format(Locale.ROOT, "  %-62s %,10.0f %9.1f %,12.0f %9.1f%n", function + " / " + op, calls, calls * per, cap, cap * per));
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
        r.append(String.format(Locale.ROOT, "  DynamoDB: %,.0f requests per 1,000 events, %,.0f write units per 1,000, %,.0f read units per 1,000;"
                + " SQS calls inside the functions: %,.1f per 1,000%n", dynamoCalls * per, wcu * per, rcu * per, sqsCalls * per));
        readBefore();
        r.append(String.format(Locale.ROOT, "  before batching (per-event apply-engagement, same benchmark): %,.0f requests and %,.0f write units"
                + " per 1,000; now %.1fx fewer requests, %.1fx fewer write units (goal: at least 3x)%n",
                beforeRequests, beforeWcu, beforeRequests / (dynamoCalls * per), beforeWcu / (wcu * per)));
        figure("DynamoDB requests per 1,000 events applied", dynamoCalls * per, "requests",
                String.format(Locale.ROOT, "<= %.0f (a third of %.0f before)", beforeRequests / 3, beforeRequests),
                dynamoCalls * per * 3 <= beforeRequests, "every function, every copy included (SDK interceptor AwsCallCounter)");
        figure("DynamoDB write units per 1,000 events applied", wcu * per, "WCU",
                String.format(Locale.ROOT, "<= %.0f (a third of %.0f before)", beforeWcu / 3, beforeWcu),
                wcu * per * 3 <= beforeWcu, "capacity units dynalite returned (ReturnConsumedCapacity TOTAL)");
        figure("DynamoDB read units per 1,000 events applied", Math.round(rcu * per * 10) / 10.0, "RCU", "none", true,
                "consistent reads");
        return r.toString();
    }

    /** The before figures from --before-from's JSON, when given and present. */
    private static void readBefore() {
        if (beforeFrom == null || !Files.exists(beforeFrom)) {
            return;
        }
        try {
            for (var f : JSON.readTree(beforeFrom.toFile())) {
                String name = f.path("figure").asText();
                if (name.equals("DynamoDB requests per 1,000 events applied")) {
                    beforeRequests = f.path("value").asDouble();
                } else if (name.equals("DynamoDB write units per 1,000 events applied")) {
                    beforeWcu = f.path("value").asDouble();
                }
            }
        } catch (IOException e) {
            System.err.println("could not read " + beforeFrom + ": " + e.getMessage());
        }
    }

    /** One figure of benchmark-webhooks.json. */
    private void figure(String name, double value, String unit, String goal, boolean met, String note) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("figure", name);
        f.put("value", Double.isFinite(value) ? Math.round(value * 10) / 10.0 : null);
        f.put("unit", unit);
        f.put("goal", goal);
        f.put("met", met);
        f.put("note", note);
        figures.add(f);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void log(String message) {
        System.out.printf(Locale.ROOT, "%tT %s%n", System.currentTimeMillis(), message);
    }
}
