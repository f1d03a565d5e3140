package dev.dispatch.domain.analytics;

import dev.dispatch.domain.campaign.Campaign;
import dev.dispatch.domain.campaign.CampaignStatus;
import dev.dispatch.domain.engagement.DeliveryStats;
import dev.dispatch.domain.engagement.RecipientDomains;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The campaign performance report, from precomputed aggregates only: the campaign's counters (totals,
 * {@code variant.<v>.<counter>}, {@code provider.<p>.<counter>} and {@code domain.<group>.<counter>}) and the sender's
 * provider daily statistics of the last {@value #NORM_DAYS} days as its norm. Nothing here reads per-recipient data,
 * so the report costs the same at any audience size. Every recommendation carries the figures it rests on.
 */
public final class CampaignReport {
    public static final int NORM_DAYS = 30;
    /** Gmail's and Yahoo's bulk-sender guidance: keep complaints below 0.1 %, never reach 0.3 %. */
    public static final double COMPLAINT_LIMIT = 0.001;
    /** A variant is called ahead at this confidence of the two-proportion z-test. */
    public static final double WINNER_CONFIDENCE = 0.95;
    /** Open rate below this share of the sender's 30-day median daily open rate is "well below". */
    public static final double LOW_OPEN_SHARE = 0.5;
    /** Bounce rate at this multiple of the sender's 30-day bounce rate or more is "several times the norm". */
    public static final double BOUNCE_MULTIPLE = 3.0;
    /** A domain's bounce rate below this is not called out, however it compares with the campaign's. */
    public static final double DOMAIN_BOUNCE_FLOOR = 0.02;
    /** Fewer deliveries (or sends) than this say too little to recommend anything. */
    public static final long MIN_SAMPLE = 100;
    /** A day counts toward the median open rate when it had at least this many deliveries. */
    public static final long MIN_DAY_DELIVERIES = 50;
    /** Fates the send path records: every recipient ends with exactly one. */
    static final List<String> FATES = List.of("sent", "rejected", "suppressed", "skipped", "cancelled", "unknown");

    private CampaignReport() {}

    /**
     * @param senderDays the provider daily statistics of the {@value #NORM_DAYS} days up to {@code now} (the norm)
     */
    public static Map<String, Object> build(Campaign campaign, Map<String, Long> counters, List<DeliveryStats.Day> senderDays,
            Instant now) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("report", "campaign");
        body.put("generatedAt", now.toString());
        body.put("name", campaign.name());
        body.putAll(CampaignStats.view(campaign, counters));
        // the stats' per-provider counts, each with its rates
        body.put("providers", providers(counters));
        // per recipient domain group: the counters the send path and engagement tracking keep on the campaign item
        // beside the totals (read with them: no extra request, whatever the audience)
        body.put("domains", domains(counters));
        body.put("progress", progress(campaign, counters, now));
        Norm norm = norm(senderDays);
        body.put("senderNorm", norm.view());
        body.put("recommendations", recommendations(campaign, counters, norm));
        return body;
    }

    /**
     * Each provider's counters as the send path keeps them ({@code provider.<p>.<fate>}: sent, rejected, ...), its
     * share of the campaign's sends and its rejection rate (rejected / (sent + rejected)). Engagement events are not
     * counted per provider on the campaign, so no delivery or open rate is shown here (see the providers report).
     */
    static Map<String, Object> providers(Map<String, Long> counters) {
        Map<String, Object> out = new LinkedHashMap<>();
        long sent = counters.getOrDefault("sent", 0L);
        CampaignStats.byProvider(counters).forEach((name, counts) -> {
            long providerSent = counts.getOrDefault("sent", 0L);
            long rejected = counts.getOrDefault("rejected", 0L);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("counts", counts);
            entry.put("rates", Map.of("shareOfSent", DeliveryRates.ratio(providerSent, sent),
                    "rejectionRate", DeliveryRates.ratio(rejected, providerSent + rejected)));
            out.put(name, entry);
        });
        return out;
    }

    /**
     * Each recipient domain group's counts ({@code domain.<group>.<counter>}: the send path's fates and the
     * engagement events, totals and unique), its rates as the campaign's own ({@link DeliveryRates#campaign}) and its
     * share of the campaign's sends; by sends, most first. Groups are the mailbox operators of {@link RecipientDomains}
     * and {@value RecipientDomains#OTHER}, so the list is short at any audience size.
     */
    static Map<String, Object> domains(Map<String, Long> counters) {
        long sent = counters.getOrDefault("sent", 0L);
        Map<String, Object> out = new LinkedHashMap<>();
        RecipientDomains.split(counters).entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().getOrDefault("sent", 0L), a.getValue().getOrDefault("sent", 0L)))
                .forEach(e -> {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("counts", e.getValue());
                    Map<String, Double> rates = new LinkedHashMap<>(DeliveryRates.campaign(e.getValue()));
                    rates.put("shareOfSent", DeliveryRates.ratio(e.getValue().getOrDefault("sent", 0L), sent));
                    entry.put("rates", rates);
                    out.put(e.getKey(), entry);
                });
        return out;
    }

    /**
     * Recipients counted so far, those with a fate, and while sending the pace since the campaign went to sending
     * (its last status change) and the ETA at that pace. While batches are still being enqueued the recipient count
     * still grows, so the ETA is then a lower bound ({@code etaIsLowerBound}).
     */
    static Map<String, Object> progress(Campaign campaign, Map<String, Long> counters, Instant now) {
        long recipients = counters.getOrDefault("recipients", 0L);
        long done = FATES.stream().mapToLong(f -> counters.getOrDefault(f, 0L)).sum();
        long remaining = Math.max(0, recipients - done);
        Map<String, Object> progress = new LinkedHashMap<>();
        progress.put("recipients", recipients);
        progress.put("processed", done);
        progress.put("remaining", remaining);
        progress.put("complete", DeliveryRates.ratio(Math.min(done, recipients), recipients));
        progress.put("enqueueComplete", campaign.progress().complete());
        Double perMinute = null;
        String eta = null;
        if (campaign.status() == CampaignStatus.SENDING && campaign.updatedAt() != null) {
            double minutes = Duration.between(campaign.updatedAt(), now).toMillis() / 60_000.0;
            if (minutes > 0 && done > 0) {
                perMinute = done / minutes;
                eta = now.plusMillis((long) (remaining / perMinute * 60_000)).toString();
            }
        }
        boolean sending = campaign.status() == CampaignStatus.SENDING && campaign.updatedAt() != null;
        progress.put("sendingSince", sending ? campaign.updatedAt().toString() : null);
        progress.put("recipientsPerMinute", perMinute);
        progress.put("eta", eta);
        progress.put("etaIsLowerBound", eta != null && !campaign.progress().complete());
        return progress;
    }

    /** The sender's own recent figures: the median daily open rate and the bounce and complaint rates overall. */
    record Norm(int days, Double medianOpenRate, int openRateDays, long sent, double bounceRate, Map<String, Map<String, Long>> byProvider) {
        Map<String, Object> view() {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("days", days);
            view.put("medianDailyOpenRate", medianOpenRate);
            view.put("daysInMedian", openRateDays);
            view.put("sent", sent);
            view.put("bounceRate", bounceRate);
            return view;
        }
    }

    static Norm norm(List<DeliveryStats.Day> days) {
        Map<LocalDate, long[]> byDay = new LinkedHashMap<>(); // delivered, opened
        Map<String, Map<String, Long>> byProvider = new LinkedHashMap<>();
        long sent = 0;
        long bounced = 0;
        for (DeliveryStats.Day d : days) {
            long[] day = byDay.computeIfAbsent(d.day(), k -> new long[2]);
            day[0] += d.count("delivered");
            day[1] += d.count("opened");
            sent += d.count("sent");
            bounced += d.count("bounced") + d.count("softBounced");
            Map<String, Long> p = byProvider.computeIfAbsent(d.provider(), k -> new LinkedHashMap<>());
            for (String name : DeliveryTrends.COUNTS) {
                p.merge(name, d.count(name), Long::sum);
            }
        }
        List<Double> openRates = new ArrayList<>();
        byDay.values().stream().filter(d -> d[0] >= MIN_DAY_DELIVERIES).forEach(d -> openRates.add((double) d[1] / d[0]));
        return new Norm(NORM_DAYS, openRates.isEmpty() ? null : median(openRates), openRates.size(), sent,
                DeliveryRates.ratio(bounced, sent), byProvider);
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static List<Map<String, Object>> recommendations(Campaign campaign, Map<String, Long> counters, Norm norm) {
        List<Map<String, Object>> out = new ArrayList<>();
        complaints(counters, norm, out);
        variantAhead(campaign, counters, out);
        lowOpens(counters, norm, out);
        highBounces(counters, norm, out);
        domainBounces(counters, out);
        return out;
    }

    /**
     * Recipient domains whose bounce rate is {@value #BOUNCE_MULTIPLE} times the campaign's or more (with at least
     * {@value #MIN_SAMPLE} sends there and a rate of {@value #DOMAIN_BOUNCE_FLOOR} or more, so a small or harmless
     * difference is not called out): a typo'd or dead domain on the list, or a mailbox operator refusing this sender.
     */
    private static void domainBounces(Map<String, Long> counters, List<Map<String, Object>> out) {
        long sent = counters.getOrDefault("sent", 0L);
        long bounced = counters.getOrDefault("bounced", 0L) + counters.getOrDefault("softBounced", 0L);
        double campaignRate = DeliveryRates.ratio(bounced, sent);
        if (sent < MIN_SAMPLE || campaignRate == 0) {
            return;
        }
        RecipientDomains.split(counters).forEach((group, counts) -> {
            long domainSent = counts.getOrDefault("sent", 0L);
            long domainBounced = counts.getOrDefault("bounced", 0L) + counts.getOrDefault("softBounced", 0L);
            double rate = DeliveryRates.ratio(domainBounced, domainSent);
            if (domainSent < MIN_SAMPLE || rate < DOMAIN_BOUNCE_FLOOR || rate < BOUNCE_MULTIPLE * campaignRate) {
                return;
            }
            String where = RecipientDomains.known(group) ? group + " addresses" : "addresses at other domains";
            out.add(recommendation("domain-bounces",
                    String.format("Bounce rate at %s is %.2f %% (%d of %d sent), %.1f times the campaign's %.2f %%: check "
                            + "those addresses (typos, dead mailboxes) and whether %s is refusing your mail, before sending "
                            + "there again.", where, rate * 100, domainBounced, domainSent, rate / campaignRate, campaignRate * 100,
                            RecipientDomains.known(group) ? group : "their provider"),
                    figures("domain", group, "bounced", domainBounced, "sent", domainSent, "bounceRate", rate,
                            "campaignBounced", bounced, "campaignSent", sent, "campaignBounceRate", campaignRate,
                            "multiple", BOUNCE_MULTIPLE)));
        });
    }

    /** Providers whose complaint rate crosses 0.1 %: in this campaign (when counted per provider) and over 30 days. */
    private static void complaints(Map<String, Long> counters, Norm norm, List<Map<String, Object>> out) {
        CampaignStats.byProvider(counters).forEach((provider, counts) ->
                complaint(provider, "this campaign", counts, out));
        norm.byProvider().forEach((provider, counts) -> complaint(provider, "the last " + NORM_DAYS + " days", counts, out));
    }

    private static void complaint(String provider, String scope, Map<String, Long> counts, List<Map<String, Object>> out) {
        long delivered = base(counts);
        long complained = counts.getOrDefault("complained", 0L);
        double rate = DeliveryRates.ratio(complained, delivered);
        if (delivered >= MIN_SAMPLE && rate > COMPLAINT_LIMIT) {
            out.add(recommendation("provider-complaints",
                    String.format("Complaint rate through %s over %s is %.2f %%, above the 0.1 %% mailbox providers tolerate: "
                            + "review the audience and list hygiene of mail sent through it, or move traffic away.", provider, scope, rate * 100),
                    figures("provider", provider, "scope", scope, "complained", complained, "delivered", delivered,
                            "complaintRate", rate, "limit", COMPLAINT_LIMIT)));
        }
    }

    /** The variant with the best unique open rate, and the confidence that it beats the runner-up. */
    private static void variantAhead(Campaign campaign, Map<String, Long> counters, List<Map<String, Object>> out) {
        Map<String, Map<String, Long>> variants = CampaignVariantCounts.split(
                campaign.variants().stream().map(v -> v.id()).toList(), counters);
        if (variants.size() < 2) {
            return;
        }
        List<Map.Entry<String, Map<String, Long>>> ranked = variants.entrySet().stream()
                .sorted((a, b) -> Double.compare(openRate(b.getValue()), openRate(a.getValue()))).toList();
        var best = ranked.get(0);
        var second = ranked.get(1);
        long o1 = best.getValue().getOrDefault("uniqueOpened", 0L);
        long n1 = base(best.getValue());
        long o2 = second.getValue().getOrDefault("uniqueOpened", 0L);
        long n2 = base(second.getValue());
        Significance.Result test = Significance.twoProportions(o1, n1, o2, n2);
        if (n1 < MIN_SAMPLE || n2 < MIN_SAMPLE || test.confidence() < WINNER_CONFIDENCE || test.z() <= 0) {
            return;
        }
        out.add(recommendation("variant-ahead",
                String.format("Variant %s opens at %.1f %% against %.1f %% for %s (two-proportion z-test: z = %.2f, "
                        + "confidence %.1f %%): send the rest of the audience variant %s.", best.getKey(), openRate(best.getValue()) * 100,
                        openRate(second.getValue()) * 100, second.getKey(), test.z(), test.confidence() * 100, best.getKey()),
                figures("variant", best.getKey(), "opened", o1, "delivered", n1, "runnerUp", second.getKey(),
                        "runnerUpOpened", o2, "runnerUpDelivered", n2, "z", test.z(), "pValue", test.pValue(),
                        "confidence", test.confidence())));
    }

    /**
     * Open rate against the sender's 30-day median daily open rate. The daily statistics count every open, so the
     * campaign's every-open rate (opened / delivered) is compared, not its unique open rate.
     */
    private static void lowOpens(Map<String, Long> counters, Norm norm, List<Map<String, Object>> out) {
        long delivered = base(counters);
        if (norm.medianOpenRate() == null || delivered < MIN_SAMPLE || norm.medianOpenRate() == 0) {
            return;
        }
        double rate = DeliveryRates.ratio(counters.getOrDefault("opened", 0L), delivered);
        if (rate < LOW_OPEN_SHARE * norm.medianOpenRate()) {
            out.add(recommendation("low-open-rate",
                    String.format("Opens are %.1f %% of deliveries against your %d-day median of %.1f %%: check the subject "
                            + "line, the sender name and whether the mail lands in spam (placement).", rate * 100, NORM_DAYS,
                            norm.medianOpenRate() * 100),
                    figures("opened", counters.getOrDefault("opened", 0L), "delivered", delivered, "openRate", rate,
                            "medianDailyOpenRate", norm.medianOpenRate(), "daysInMedian", norm.openRateDays(),
                            "threshold", LOW_OPEN_SHARE * norm.medianOpenRate())));
        }
    }

    private static void highBounces(Map<String, Long> counters, Norm norm, List<Map<String, Object>> out) {
        long sent = counters.getOrDefault("sent", 0L);
        long bounced = counters.getOrDefault("bounced", 0L) + counters.getOrDefault("softBounced", 0L);
        double rate = DeliveryRates.ratio(bounced, sent);
        if (sent < MIN_SAMPLE || norm.sent() < MIN_SAMPLE || bounced == 0 || rate < BOUNCE_MULTIPLE * norm.bounceRate()) {
            return;
        }
        String multiple = norm.bounceRate() == 0 ? "no bounces" : String.format("%.1f times", rate / norm.bounceRate());
        out.add(recommendation("high-bounce-rate",
                String.format("Bounce rate is %.2f %% against your %d-day rate of %.2f %% (%s): the list may hold old or "
                        + "purchased addresses; validate it before the next send.", rate * 100, NORM_DAYS, norm.bounceRate() * 100,
                        multiple),
                figures("bounced", bounced, "sent", sent, "bounceRate", rate, "senderBounceRate", norm.bounceRate(),
                        "senderSent", norm.sent(), "multiple", BOUNCE_MULTIPLE)));
    }

    private static double openRate(Map<String, Long> counts) {
        return DeliveryRates.ratio(counts.getOrDefault("uniqueOpened", 0L), base(counts));
    }

    /** Deliveries, or sends minus bounces when no delivery was reported (as {@link DeliveryRates} does). */
    private static long base(Map<String, Long> counts) {
        long delivered = counts.getOrDefault("delivered", 0L);
        if (delivered > 0) {
            return delivered;
        }
        return Math.max(0, counts.getOrDefault("sent", 0L) - counts.getOrDefault("bounced", 0L) - counts.getOrDefault("softBounced", 0L));
    }

    private static Map<String, Object> recommendation(String kind, String message, Map<String, Object> figures) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", kind);
        r.put("message", message);
        r.put("figures", figures);
        return r;
    }

    private static Map<String, Object> figures(Object... pairs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put((String) pairs[i], pairs[i + 1]);
        }
        return out;
    }
}
