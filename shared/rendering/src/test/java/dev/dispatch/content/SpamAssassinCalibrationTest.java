package dev.dispatch.content;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.adapter.content.ContentRules;
import dev.dispatch.adapter.render.HandlebarsTemplates;
import dev.dispatch.adapter.render.MimeMessages;
import dev.dispatch.domain.content.ContentFinding;
import dev.dispatch.domain.content.ContentReport;
import dev.dispatch.domain.content.MessageDraft;
import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.subscriber.EmailAddress;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The content score against Apache SpamAssassin (Debian's spamassassin, network tests off, no Bayes) on the
 * project's corpus (content-corpus/corpus.json: clean newsletters, transactional mail, obvious spam, borderline
 * promotions). Each message goes to SpamAssassin as the product would send it (rendered for a sample recipient,
 * MIME built by the send path's MimeMessages, with its List-Unsubscribe headers). SpamAssassin is a test-time
 * reference only. The table of both scores goes to target/content-calibration.txt; the README reports it.
 */
class SpamAssassinCalibrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SA_SCORE = Pattern.compile("X-Spam-Status: \\w+, score=(-?[0-9.]+)");
    private static final Pattern SA_TESTS = Pattern.compile("tests=([^\\n]*(?:\\n\\t[^\\n]*)*)");

    record Scored(String id, String category, double ours, double spamAssassin, String ourRules, String theirRules) {}

    @Test
    void givenTheCorpus_whenScoredByBoth_thenTheOrderingsAgree() throws Exception {
        JsonNode corpus;
        try (InputStream in = getClass().getResourceAsStream("/content-corpus/corpus.json")) {
            corpus = JSON.readTree(in);
        }
        ContentRules rules = new ContentRules();
        MimeMessages mime = new MimeMessages(Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Scored>> futures = new ArrayList<>();
        for (JsonNode m : corpus) {
            MessageDraft draft = new MessageDraft(m.get("fromEmail").asText(), m.get("subject").asText(),
                    m.path("html").isNull() ? null : m.path("html").asText(null), m.path("text").isNull() ? null : m.path("text").asText(null));
            ContentReport ours = rules.check(draft, 5.0);
            byte[] message = mime.toBytes(rendered(draft));
            futures.add(pool.submit(() -> {
                String[] sa = spamAssassin(message);
                return new Scored(m.get("id").asText(), m.get("category").asText(), ours.score(), Double.parseDouble(sa[0]),
                        ours.findings().stream().map(ContentFinding::rule).distinct().collect(Collectors.joining(",")), sa[1]);
            }));
        }
        List<Scored> scored = new ArrayList<>();
        for (Future<Scored> f : futures) {
            scored.add(f.get(5, TimeUnit.MINUTES));
        }
        pool.shutdown();

        double rho = spearman(scored.stream().mapToDouble(Scored::ours).toArray(),
                scored.stream().mapToDouble(Scored::spamAssassin).toArray());
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                "Spearman's rank correlation, content score vs SpamAssassin: %.3f (n=%d)%n%n", rho, scored.size()));
        table.append(String.format(Locale.ROOT, "%-22s %-21s %6s %6s  %s | %s%n", "message", "category", "ours", "SA", "our rules", "SpamAssassin's tests"));
        scored.stream().sorted(Comparator.comparingDouble(Scored::spamAssassin)).forEach(s -> table.append(String.format(Locale.ROOT,
                "%-22s %-21s %6.1f %6.1f  %s | %s%n", s.id(), s.category(), s.ours(), s.spamAssassin(), s.ourRules(), s.theirRules())));
        Path out = Path.of("target", "content-calibration.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
        System.out.println(table);

        assertTrue(rho >= 0.6, "the orderings disagree: " + table);
        // Whatever SpamAssassin says, our own score must rank every obvious spam above every clean message.
        double cleanMax = scored.stream().filter(s -> !s.category().equals("obvious-spam") && !s.category().equals("borderline-promotion"))
                .mapToDouble(Scored::ours).max().orElseThrow();
        double spamMin = scored.stream().filter(s -> s.category().equals("obvious-spam")).mapToDouble(Scored::ours).min().orElseThrow();
        assertTrue(spamMin > cleanMax, table.toString());
    }

    /** The draft as a recipient gets it: templates rendered for the sample recipient, as the content check does. */
    private static OutgoingMessage rendered(MessageDraft d) {
        String unsubscribe = "https://api.example.com/u/v1.sample-token";
        Map<String, Object> context = Map.of("email", "reader@example.org", "unsubscribeUrl", unsubscribe);
        return OutgoingMessage.builder()
                .to(new EmailAddress("reader@example.org"), null)
                .from(new EmailAddress(d.fromEmail()), null)
                .subject(HandlebarsTemplates.text().compile(d.subject(), "subject").render(context))
                .html(d.html() == null ? null : HandlebarsTemplates.html().compile(d.html(), "html").render(context))
                .text(d.text() == null ? null : HandlebarsTemplates.text().compile(d.text(), "text").render(context))
                .unsubscribeUrl(unsubscribe)
                .correlation("cmp_calibration", "r1", "none", "cmp_calibration-0")
                .build();
    }

    /** SpamAssassin's score and tests for one message: local tests only (-L), no Bayes, no auto-learning. */
    private static String[] spamAssassin(byte[] message) throws Exception {
        Process p = new ProcessBuilder("spamassassin", "-L", "-t", "--cf=use_bayes 0", "--cf=bayes_auto_learn 0")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (var in = p.getOutputStream()) {
            in.write(message);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("spamassassin did not finish");
        }
        Matcher score = SA_SCORE.matcher(output);
        if (!score.find()) {
            throw new IllegalStateException("no X-Spam-Status in spamassassin's output (is Debian's spamassassin installed? "
                    + ".ci/run installs it): " + output.substring(0, Math.min(500, output.length())));
        }
        Matcher tests = SA_TESTS.matcher(output.substring(score.start()));
        String names = tests.find() ? tests.group(1).replaceAll("\\s+", "").replaceAll("autolearn=.*", "") : "";
        return new String[] {score.group(1), names.replaceAll(",$", "")};
    }

    static double spearman(double[] a, double[] b) {
        double[] ra = ranks(a);
        double[] rb = ranks(b);
        double ma = java.util.Arrays.stream(ra).average().orElse(0);
        double mb = java.util.Arrays.stream(rb).average().orElse(0);
        double cov = 0;
        double va = 0;
        double vb = 0;
        for (int i = 0; i < a.length; i++) {
            cov += (ra[i] - ma) * (rb[i] - mb);
            va += (ra[i] - ma) * (ra[i] - ma);
            vb += (rb[i] - mb) * (rb[i] - mb);
        }
        return cov / Math.sqrt(va * vb);
    }

    /** Ranks from 1, ties sharing their average rank. */
    private static double[] ranks(double[] values) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
        double[] ranks = new double[values.length];
        for (int i = 0; i < order.length; ) {
            int j = i;
            while (j + 1 < order.length && values[order[j + 1]] == values[order[i]]) {
                j++;
            }
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = (i + j) / 2.0 + 1;
            }
            i = j + 1;
        }
        return ranks;
    }
}
