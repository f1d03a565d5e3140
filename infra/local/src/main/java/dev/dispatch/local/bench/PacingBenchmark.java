package dev.dispatch.local.bench;

import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pacing run: several send-batch processes (concurrent SQS consumers, as Lambda runs them) share one provider
 * limited by the shared limiter to a configured rate (a providers.yaml of the benchmark's, via DISPATCH_CONFIG_DIR).
 * The Postmark stub itself does not limit, so what it sees is what the limiter let through: it counts the accepted
 * messages per second of their call's arrival. Reports the highest sustained send rate (best 10-second average) as
 * a share of the configured rate (goal >= 90 %), the one-second windows above the rate (goal 0), exactly-once, and the
 * AWS calls per 1,000 recipients with the limiter on.
 */
public final class PacingBenchmark {
    private static final int SUSTAINED_WINDOW = 10;

    public static void main(String[] args) throws Exception {
        int recipients = 6_000;
        int rate = 100;
        int sendConcurrency = 3;
        long latency = 50;
        int batchSize = 100;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--send-concurrency" -> sendConcurrency = Integer.parseInt(args[++i]);
                case "--latency-ms" -> latency = Long.parseLong(args[++i]);
                case "--batch-size" -> batchSize = Integer.parseInt(args[++i]);
                default -> {
                    if (args[i].startsWith("-")) {
                        System.err.println("Unknown option " + args[i] + "\nUsage: infra/bin/benchmark pacing [recipients]"
                                + " [--no-build] [--rate MSGS_PER_S] [--send-concurrency N] [--latency-ms MS] [--batch-size N]");
                        System.exit(2);
                    }
                    recipients = Integer.parseInt(args[i].replace("_", "").replace(",", ""));
                }
            }
        }
        Path countsDir = Path.of("target", "aws-call-counts-pacing").toAbsolutePath();
        CampaignBenchmarkFiles.reset(countsDir);
        Path config = CampaignBenchmark.providersConfig(Path.of("target", "benchmark-pacing-config").toAbsolutePath(), rate, 100_000_000);
        try (PostmarkStub stub = new PostmarkStub(latency, 1_000_000_000)) {
            LocalCloudOptions options = LocalCloudOptions.defaults().port(0).schedulesEnabled(false)
                    .concurrency("SendBatchFunction", sendConcurrency)
                    .secret("PostmarkServerTokenSecret", "{\"serverToken\": \"bench-server-token\"}")
                    .parameter("PostmarkApiUrl", stub.url().toString())
                    .environment("DISPATCH_COUNT_AWS_CALLS", countsDir.toString())
                    .environment("DISPATCH_CONFIG_DIR", config.toString())
                    .environment("DISPATCH_ENQUEUE_BATCH_SIZE", Integer.toString(batchSize))
                    .environment("DISPATCH_SEND_LEASE", "PT20S")
                    .sqsVisibilityTimeoutSeconds(130); // above the 120 s timeout: a batch being paced is not handed out twice
            System.out.println("Starting the local cloud (send-batch x" + sendConcurrency + ", Postmark limited to " + rate
                    + "/s by the shared limiter, stub at " + stub.url() + ", " + latency + " ms per call)...");
            try (LocalCloud cloud = LocalCloud.start(options)) {
                CampaignBenchmark bench = new CampaignBenchmark(cloud, stub, countsDir);
                String report = run(bench, cloud, stub, recipients, rate, sendConcurrency, batchSize);
                System.out.println(report);
                Path out = Path.of("target", "benchmark-pacing.txt");
                Files.writeString(out, report);
                System.out.println("Written to " + out.toAbsolutePath());
                ReportFigures.pacing(report).write("pacing");
                if (report.contains("(goal >= 90 %: NOT met)") || report.contains("(goal 0: NOT met)")
                        || report.contains("(exactly once: NOT met)")) {
                    System.exit(1); // the pacing goals; the campaign run's <= 100 calls target is not one of them
                }
            }
        }
    }

    private static String run(CampaignBenchmark bench, LocalCloud cloud, PostmarkStub stub, int recipients, int rate,
            int sendConcurrency, int batchSize) throws Exception {
        StringBuilder r = new StringBuilder();
        r.append(String.format(Locale.ROOT, "Pacing benchmark, %s: %,d recipients, Postmark limited to %d messages/s by the shared"
                + " limiter (config via DISPATCH_CONFIG_DIR); stub %d ms per call, no limit of its own; send-batch x%d processes;"
                + " ledger batches of %d%n", LocalDate.now(), recipients, rate, stub.latencyMillis(), sendConcurrency, batchSize));

        System.out.println("warm-up campaign of 500 recipients");
        bench.seed("pw", 500, "pace-warm");
        bench.sendAndWait(bench.createCampaign("pace-warm", "pacing warm-up"), Duration.ofMinutes(3));

        System.out.println("seeding " + recipients + " subscribers");
        bench.seed("pm", recipients, "pace-main");
        String campaign = bench.createCampaign("pace-main", "pacing");
        Thread.sleep(1_500);
        Map<Long, Long> perSecondBefore = stub.acceptedPerSecond();
        long acceptedBefore = stub.acceptedMessages();
        CampaignBenchmark.Snapshot before = bench.snapshot();
        System.out.println("sending campaign " + campaign);
        double seconds = bench.sendAndWait(campaign, Duration.ofSeconds(Math.max(300, 3L * recipients / rate)));
        Thread.sleep(1_500);
        CampaignBenchmark.Snapshot after = bench.snapshot();
        long accepted = stub.acceptedMessages() - acceptedBefore;

        Map<Long, Long> perSecond = new TreeMap<>();
        stub.acceptedPerSecond().forEach((s, n) -> {
            long d = n - perSecondBefore.getOrDefault(s, 0L);
            if (d > 0) {
                perSecond.put(s, d);
            }
        });
        List<Long> seconds1 = new ArrayList<>(perSecond.keySet());
        long first = seconds1.get(0);
        long last = seconds1.get(seconds1.size() - 1);
        // Every second from the first to the last (a second without an accepted message counts as 0).
        List<Long> series = new ArrayList<>();
        for (long s = first; s <= last; s++) {
            series.add(perSecond.getOrDefault(s, 0L));
        }
        long above = series.stream().filter(n -> n > rate).count();
        long max = series.stream().mapToLong(Long::longValue).max().orElse(0);
        double bestWindow = 0;
        for (int i = 1; i + SUSTAINED_WINDOW <= series.size() - 1; i++) { // whole seconds only: not the first and last
            double sum = 0;
            for (int j = i; j < i + SUSTAINED_WINDOW; j++) {
                sum += series.get(j);
            }
            bestWindow = Math.max(bestWindow, sum / SUSTAINED_WINDOW);
        }
        double inner = series.size() > 2
                ? series.subList(1, series.size() - 1).stream().mapToLong(Long::longValue).average().orElse(0) : 0;
        CampaignBenchmark.LedgerView ledger = bench.ledgerFates(campaign, "pm", recipients);
        long twice = 0;
        long never = 0;
        for (int i = 0; i < recipients; i++) {
            int n = stub.acceptedCount(CampaignBenchmark.address("pm", i));
            twice += n > 1 ? 1 : 0;
            never += n == 0 ? 1 : 0;
        }

        r.append(String.format(Locale.ROOT, "%nRate at the provider (messages accepted per second of arrival, campaign %s)%n", campaign));
        r.append(String.format(Locale.ROOT, "  configured rate                                   %6d /s%n", rate));
        r.append(String.format(Locale.ROOT, "  highest sustained (best %d-s average)             %8.1f /s = %.1f %% of the rate (goal >= 90 %%: %s)%n",
                SUSTAINED_WINDOW, bestWindow, bestWindow / rate * 100, bestWindow >= 0.9 * rate ? "met" : "NOT met"));
        r.append(String.format(Locale.ROOT, "  average over the whole seconds of the send        %8.1f /s = %.1f %% of the rate%n", inner, inner / rate * 100));
        r.append(String.format(Locale.ROOT, "  busiest one-second window                         %6d%n", max));
        r.append(String.format(Locale.ROOT, "  one-second windows above the rate                 %6d of %d (goal 0: %s)%n",
                above, series.size(), above == 0 ? "met" : "NOT met"));
        r.append(String.format(Locale.ROOT, "  end to end (send -> status sent)                  %8.1f s for %,d recipients%n", seconds, recipients));
        r.append(String.format(Locale.ROOT, "  accepted by the stub %,d; recipients accepted twice %d, never %d (exactly once: %s); ledger fates %s%n",
                accepted, twice, never, twice == 0 && never == 0 ? "met" : "NOT met", ledger.fates()));
        r.append(String.format(Locale.ROOT, "  per second: %s%n", series));

        CampaignBenchmark.LedgerSize size = bench.ledgerItemSize(campaign);
        r.append(bench.callsReport(before, after, recipients, bench.ledgerBatchCount(campaign), size));
        r.append(String.format(Locale.ROOT, """

                What the figures include
                  - The stub counts a call's messages in the epoch second its request arrived (before its %d ms latency), and only
                    accepted calls; the limiter grants permits in one-second windows shared through the control table (one ADD on
                    the second's window per provider call, one on the day's quota when something was granted), grants nothing in
                    the last 100 ms of a second, and reads the AIMD state at most every 5 s per process.
                  - AWS calls: as in the campaign benchmark (SDK interceptor in every function, event-source polls, Lambda
                    invocations), from the send request to status sent; the limiter's calls are among the DynamoDB UpdateItem and
                    GetItem of send-batch.
                """, stub.latencyMillis()));
        return r.toString();
    }
}
