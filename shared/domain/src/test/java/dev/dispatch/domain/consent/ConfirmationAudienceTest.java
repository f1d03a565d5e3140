package dev.dispatch.domain.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dispatch.domain.campaign.AudienceMember;
import dev.dispatch.domain.campaign.AudienceMember.Verdict;
import dev.dispatch.domain.campaign.Campaign;
import dev.dispatch.domain.campaign.CampaignContent;
import dev.dispatch.domain.campaign.CampaignStatus;
import dev.dispatch.domain.campaign.EnqueueProgress;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.OptIns;
import dev.dispatch.domain.subscriber.PendingOptIn;
import dev.dispatch.domain.subscriber.Subscriber;
import dev.dispatch.domain.subscriber.SubscriberStatus;
import dev.dispatch.domain.subscriber.Suppression;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Who a confirmation campaign and an ordinary campaign reach, for a pending, confirmed or suppressed person. */
class ConfirmationAudienceTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final EmailAddress ADA = new EmailAddress("ada@example.com");

    private static Campaign campaign(String id) {
        return new Campaign(id, "n", "news@example.com", null, null, new CampaignContent("s", null, "<p>x</p>", null),
                List.of(), List.of("news"), List.of(), List.of(), CampaignStatus.SENT, null, T0, T0, EnqueueProgress.START);
    }

    private static Subscriber ada(List<String> segments, PendingOptIn pending, Suppression suppression) {
        TreeMap<String, PendingOptIn> map = new TreeMap<>();
        if (pending != null) {
            map.put(pending.segment(), pending);
        }
        return new Subscriber(ADA, null, null, Map.of(), new TreeSet<>(segments), 0, null, "api", T0, T0, suppression,
                new OptIns(map, null));
    }

    @Test
    void givenAPendingPerson_thenOnlyTheirConfirmationReachesThem_andNoCampaignOfTheSegmentDoes() {
        PendingOptIn pending = new PendingOptIn("news", T0, T0.plusSeconds(3600), ConfirmationCampaigns.id("news", 1), 7);
        Subscriber subscriber = ada(List.of(), pending, null);
        assertEquals(Verdict.RECIPIENT, AudienceMember.judge(campaign(ConfirmationCampaigns.id("news", 1)), subscriber));
        assertEquals(Verdict.OUTSIDE, AudienceMember.judge(campaign("cmp_0123456789abcdef"), subscriber), "pending: no campaign");
        assertEquals(Verdict.OUTSIDE, AudienceMember.judge(campaign(ConfirmationCampaigns.id("news", 2)), subscriber), "another request's mail");
    }

    @Test
    void givenIds_thenConfirmationCampaignsAreTellableFromOrdinaryOnes_andPassAsCampaignIds() {
        String id = ConfirmationCampaigns.id("News.letter-1", 3);
        org.junit.jupiter.api.Assertions.assertTrue(id.matches("cmp_[0-9a-z]{1,40}"), id);
        org.junit.jupiter.api.Assertions.assertTrue(ConfirmationCampaigns.is(id));
        org.junit.jupiter.api.Assertions.assertFalse(ConfirmationCampaigns.is("cmp_optinabcdefghijk"), "an ordinary id");
        org.junit.jupiter.api.Assertions.assertNotEquals(id, ConfirmationCampaigns.id("News.letter-1", 4));
    }

    @Test
    void givenAConfirmedOrSuppressedPerson_thenNoConfirmationIsSent() {
        Subscriber confirmed = ada(List.of("news"), null, null);
        assertEquals(Verdict.OUTSIDE, AudienceMember.judge(campaign(ConfirmationCampaigns.id("news", 1)), confirmed));
        assertEquals(Verdict.RECIPIENT, AudienceMember.judge(campaign("cmp_0123456789abcdef"), confirmed));
        PendingOptIn pending = new PendingOptIn("news", T0, T0.plusSeconds(3600), ConfirmationCampaigns.id("news", 1), 7);
        Subscriber suppressed = ada(List.of(), pending, new Suppression(ADA, SubscriberStatus.UNSUBSCRIBED, T0, "api"));
        assertEquals(Verdict.SUPPRESSED, AudienceMember.judge(campaign(ConfirmationCampaigns.id("news", 1)), suppressed));
    }
}
