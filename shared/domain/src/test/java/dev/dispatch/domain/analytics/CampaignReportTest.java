package dev.dispatch.domain.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.campaign.Campaign;
import dev.dispatch.domain.campaign.CampaignContent;
import dev.dispatch.domain.campaign.CampaignStatus;
import dev.dispatch.domain.campaign.EnqueueProgress;
import dev.dispatch.domain.campaign.Variant;
import dev.dispatch.domain.engagement.DeliveryStats;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CampaignReportTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    private static Campaign campaign(CampaignStatus status, Instant updatedAt, String... variants) {
        List<Variant> list = new ArrayList<>();
        for (String v : variants) {
            list.add(new Variant(v, 100 / variants.length, null, null, null));
        }
        return new Campaign("c-1", "Winter", "news@example.com", "News", null,
                new CampaignContent("Hi", null, "<p>Hi</p>", "Hi"), list, List.of("all"), List.of(), List.of("ses"),
                status, null, NOW.minusSeconds(7200), updatedAt, new EnqueueProgress(null, 3, true, null));
    }

    /** 30 days of the sender's stats: 1,000 sent a day through ses, 980 delivered, 200 opened, 10 bounced. */
    private static List<DeliveryStats.Day> norm(long complainedPerDay) {
        List<DeliveryStats.Day> days = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            days.add(new DeliveryStats.Day(LocalDate.of(2026, 12, 1).minusDays(i), "ses", Map.of("sent", 1000L,
                    "delivered", 980L, "opened", 200L + i, "bounced", 10L, "complained", complainedPerDay)));
        }
        return days;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> recommendations(Map<String, Object> report) {
        return (List<Map<String, Object>>) report.get("recommendations");
    }

    private static Map<String, Object> only(List<Map<String, Object>> recs, String kind) {
        List<Map<String, Object>> found = recs.stream().filter(r -> kind.equals(r.get("kind"))).toList();
        assertEquals(1, found.size(), recs.toString());
        return found.get(0);
    }

    @Test
    void aHealthyCampaignGetsTheApiStatsAndNoRecommendation() {
        Map<String, Long> counters = Map.of("recipients", 1000L, "sent", 1000L, "delivered", 990L, "opened", 250L,
                "uniqueOpened", 210L, "uniqueClicked", 40L, "bounced", 10L);
        Campaign c = campaign(CampaignStatus.SENT, NOW.minusSeconds(3600));
        Map<String, Object> report = CampaignReport.build(c, counters, norm(0), NOW);
        Map<String, Object> stats = CampaignStats.view(c, counters);
        stats.forEach((k, v) -> assertEquals(v, report.get(k), k));
        assertTrue(recommendations(report).isEmpty(), report.toString());
        Map<?, ?> progress = (Map<?, ?>) report.get("progress");
        assertEquals(1.0, progress.get("complete"));
        assertNull(progress.get("eta"), "no ETA once sent");
    }

    @Test
    void whileSendingTheEtaFollowsThePaceSinceSendingStarted() {
        // 3,000 of 12,000 done in the 30 minutes since it went to sending: 100 a minute, 9,000 left = 90 minutes
        Map<String, Long> counters = Map.of("recipients", 12_000L, "sent", 2_900L, "suppressed", 100L);
        Map<String, Object> report = CampaignReport.build(campaign(CampaignStatus.SENDING, NOW.minusSeconds(1800)), counters, List.of(), NOW);
        Map<?, ?> progress = (Map<?, ?>) report.get("progress");
        assertEquals(3000L, progress.get("processed"));
        assertEquals(9000L, progress.get("remaining"));
        assertEquals(100.0, (Double) progress.get("recipientsPerMinute"), 1e-9);
        assertEquals(NOW.plusSeconds(90 * 60).toString(), progress.get("eta"));
    }

    @Test
    void aVariantClearlyAheadIsRecommendedWithItsConfidence() {
        Map<String, Long> counters = new HashMap<>(Map.of("sent", 2000L, "delivered", 2000L));
        counters.putAll(Map.of("variant.A.delivered", 1000L, "variant.A.uniqueOpened", 150L,
                "variant.B.delivered", 1000L, "variant.B.uniqueOpened", 200L));
        Map<String, Object> report = CampaignReport.build(campaign(CampaignStatus.SENT, NOW, "A", "B"), counters, norm(0), NOW);
        Map<String, Object> rec = only(recommendations(report), "variant-ahead");
        Map<?, ?> figures = (Map<?, ?>) rec.get("figures");
        assertEquals("B", figures.get("variant"));
        assertEquals(2.94245, (Double) figures.get("z"), 1e-4);
        assertTrue((Double) figures.get("confidence") > 0.99);
        assertTrue(((String) rec.get("message")).contains("99.7 %"), rec.toString());
    }

    @Test
    void aCloseRaceIsNotCalled() {
        Map<String, Long> counters = Map.of("variant.A.delivered", 1000L, "variant.A.uniqueOpened", 190L,
                "variant.B.delivered", 1000L, "variant.B.uniqueOpened", 200L);
        Map<String, Object> report = CampaignReport.build(campaign(CampaignStatus.SENT, NOW, "A", "B"), counters, norm(0), NOW);
        assertTrue(recommendations(report).stream().noneMatch(r -> "variant-ahead".equals(r.get("kind"))));
    }

    @Test
    void lowOpensHighBouncesAndComplaintsAreFlaggedWithTheirFigures() {
        // the sender's norm: 1 % bounces, median daily open rate near 21.9 %, 0.2 % complaints through ses
        Map<String, Long> counters = Map.of("recipients", 1000L, "sent", 1000L, "delivered", 900L, "opened", 50L,
                "uniqueOpened", 45L, "bounced", 100L, "provider.ses.delivered", 900L, "provider.ses.complained", 3L);
        Map<String, Object> report = CampaignReport.build(campaign(CampaignStatus.SENT, NOW), counters, norm(2), NOW);
        List<Map<String, Object>> recs = recommendations(report);
        Map<?, ?> opens = (Map<?, ?>) only(recs, "low-open-rate").get("figures");
        assertEquals(50.0 / 900, (Double) opens.get("openRate"), 1e-12);
        assertEquals(214.5 / 980, (Double) opens.get("medianDailyOpenRate"), 1e-12);
        Map<?, ?> bounces = (Map<?, ?>) only(recs, "high-bounce-rate").get("figures");
        assertEquals(0.1, (Double) bounces.get("bounceRate"), 1e-12);
        assertEquals(0.01, (Double) bounces.get("senderBounceRate"), 1e-12);
        List<Map<String, Object>> complaints = recs.stream().filter(r -> "provider-complaints".equals(r.get("kind"))).toList();
        assertEquals(2, complaints.size(), "this campaign's ses counters and the sender's 30 days: " + complaints);
        assertNotNull(((Map<?, ?>) report.get("providers")).get("ses"));
    }

    /** 1,000 sent: 600 to Gmail (6 bounced), 300 to Yahoo (60 bounced), 100 elsewhere (none): 6.6 % overall. */
    private static Map<String, Long> byDomain() {
        Map<String, Long> counters = new HashMap<>(Map.of("recipients", 1000L, "sent", 1000L, "delivered", 934L,
                "uniqueOpened", 200L, "uniqueClicked", 30L, "bounced", 66L, "complained", 1L));
        counters.putAll(Map.of("domain.gmail.com.sent", 600L, "domain.gmail.com.delivered", 594L, "domain.gmail.com.bounced", 6L,
                "domain.gmail.com.uniqueOpened", 150L, "domain.gmail.com.uniqueClicked", 20L, "domain.gmail.com.complained", 1L));
        counters.putAll(Map.of("domain.yahoo.com.sent", 300L, "domain.yahoo.com.delivered", 240L, "domain.yahoo.com.bounced", 60L,
                "domain.yahoo.com.uniqueOpened", 30L, "domain.yahoo.com.uniqueClicked", 5L));
        counters.putAll(Map.of("domain.other.sent", 100L, "domain.other.delivered", 100L, "domain.other.uniqueOpened", 20L,
                "domain.other.uniqueClicked", 5L));
        return counters;
    }

    @Test
    void eachRecipientDomainHasItsCountsAndRatesMostSentFirstAndTheTotalsStayApart() {
        Map<String, Long> counters = byDomain();
        Campaign c = campaign(CampaignStatus.SENT, NOW);
        Map<String, Object> report = CampaignReport.build(c, counters, norm(0), NOW);
        Map<?, ?> domains = (Map<?, ?>) report.get("domains");
        assertEquals(List.of("gmail.com", "yahoo.com", "other"), new ArrayList<>(domains.keySet()));
        Map<?, ?> yahoo = (Map<?, ?>) domains.get("yahoo.com");
        assertEquals(240L, ((Map<?, ?>) yahoo.get("counts")).get("delivered"));
        Map<?, ?> rates = (Map<?, ?>) yahoo.get("rates");
        assertEquals(0.2, (Double) rates.get("bounceRate"), 1e-12);
        assertEquals(240.0 / 300, (Double) rates.get("deliveryRate"), 1e-12);
        assertEquals(30.0 / 240, (Double) rates.get("openRate"), 1e-12);
        assertEquals(5.0 / 240, (Double) rates.get("clickRate"), 1e-12);
        assertEquals(0.3, (Double) rates.get("shareOfSent"), 1e-12);
        Map<?, ?> gmail = (Map<?, ?>) ((Map<?, ?>) domains.get("gmail.com")).get("rates");
        assertEquals(1.0 / 594, (Double) gmail.get("complaintRate"), 1e-12);
        // the campaign's own counts hold no per-domain counter; the api's stats show them apart
        Map<?, ?> counts = (Map<?, ?>) report.get("counts");
        assertTrue(counts.keySet().stream().noneMatch(k -> ((String) k).startsWith("domain.")), counts.toString());
        assertEquals(Map.of("sent", 300L, "delivered", 240L, "bounced", 60L, "uniqueOpened", 30L, "uniqueClicked", 5L),
                ((Map<?, ?>) CampaignStats.view(c, counters).get("domains")).get("yahoo.com"));
    }

    @Test
    void aDomainBouncingSeveralTimesTheCampaignsRateIsRecommendedWithItsFigures() {
        Map<String, Object> report = CampaignReport.build(campaign(CampaignStatus.SENT, NOW), byDomain(), norm(0), NOW);
        Map<String, Object> rec = only(recommendations(report), "domain-bounces");
        Map<?, ?> figures = (Map<?, ?>) rec.get("figures");
        assertEquals("yahoo.com", figures.get("domain"));
        assertEquals(60L, figures.get("bounced"));
        assertEquals(300L, figures.get("sent"));
        assertEquals(0.2, (Double) figures.get("bounceRate"), 1e-12);
        assertEquals(0.066, (Double) figures.get("campaignBounceRate"), 1e-12);
        String message = (String) rec.get("message");
        assertTrue(message.contains("yahoo.com") && message.contains("20.00 %") && message.contains("60 of 300")
                && message.contains("3.0 times") && message.contains("6.60 %"), message);
    }

    @Test
    void aDomainNeedsTheSampleTheMultipleAndTheFloorToBeCalledOut() {
        // 20 % at Yahoo is 2.2 times a 9 % campaign rate: under the multiple once Gmail bounces more (5 %, under it too)
        Map<String, Long> counters = new HashMap<>(byDomain());
        counters.put("domain.gmail.com.bounced", 30L);
        counters.put("bounced", 90L);
        assertTrue(recommendations(CampaignReport.build(campaign(CampaignStatus.SENT, NOW), counters, norm(0), NOW)).stream()
                .noneMatch(r -> "domain-bounces".equals(r.get("kind"))));
        // a domain with fewer than 100 sends says too little
        Map<String, Long> small = new HashMap<>(byDomain());
        small.put("domain.yahoo.com.sent", 99L);
        assertTrue(recommendations(CampaignReport.build(campaign(CampaignStatus.SENT, NOW), small, norm(0), NOW)).stream()
                .noneMatch(r -> "domain-bounces".equals(r.get("kind"))));
        // 3 times a tiny campaign rate is still a tiny rate: below the 2 % floor nothing is called out
        Map<String, Long> tiny = new HashMap<>(Map.of("sent", 10_000L, "bounced", 10L, "domain.yahoo.com.sent", 1000L,
                "domain.yahoo.com.bounced", 5L));
        assertTrue(recommendations(CampaignReport.build(campaign(CampaignStatus.SENT, NOW), tiny, norm(0), NOW)).stream()
                .noneMatch(r -> "domain-bounces".equals(r.get("kind"))));
    }

    @Test
    void smallSamplesRecommendNothing() {
        Map<String, Long> counters = Map.of("sent", 20L, "delivered", 10L, "bounced", 10L, "complained", 5L);
        Map<String, Object> report = CampaignReport.build(campaign(CampaignStatus.SENT, NOW), counters, norm(0), NOW);
        assertTrue(recommendations(report).isEmpty(), report.toString());
    }
}
