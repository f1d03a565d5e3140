package dev.dispatch.domain.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderSelectorTest {
    private static final DeliveryRules RULES = new DeliveryRules(
            List.of(new DeliveryRules.DomainRule(List.of("gmail.com", "googlemail.com"), List.of("sendgrid", "ses")),
                    new DeliveryRules.DomainRule(List.of("yahoo.com"), List.of("postmark"))),
            List.of(new DeliveryRules.Tier("engaged", 5, true, List.of())),
            Map.of("ses", 50, "sendgrid", 30, "postmark", 20), DeliveryRules.Breaker.DEFAULT);
    private static final Map<String, Integer> WEIGHTS = Map.of("ses", 50, "sendgrid", 30, "postmark", 20);
    private final ProviderSelector selector = new ProviderSelector(RULES);

    private static Candidates all() {
        return new Candidates(List.of("ses", "sendgrid", "postmark"), false, WEIGHTS, Map.of());
    }

    @Test
    void aDomainRuleChoosesItsFirstHealthyProviderAndTheOthersFollowAsFailover() {
        Route route = selector.select("Amy@GMAIL.com", 0, all());
        assertEquals(new Route(List.of("sendgrid", "ses", "postmark"), "rule:gmail.com"), route);
        Route withoutSendGrid = selector.select("amy@googlemail.com", 0,
                new Candidates(List.of("ses", "postmark"), false, WEIGHTS, Map.of()));
        assertEquals(new Route(List.of("ses", "postmark"), "rule:googlemail.com"), withoutSendGrid);
    }

    @Test
    void aRuleWhoseProvidersAreAllUnhealthyFallsThroughToTheWeights() {
        Route route = selector.select("amy@yahoo.com", 0, new Candidates(List.of("ses", "sendgrid"), false, WEIGHTS, Map.of()));
        assertEquals("weight", route.reason());
        assertEquals(2, route.order().size());
    }

    @Test
    void theEngagedTierGoesToTheBestReputationAndOthersByWeight() {
        Candidates candidates = new Candidates(List.of("ses", "sendgrid", "postmark"), false, WEIGHTS,
                Map.of("ses", 61.0, "sendgrid", 40.0, "postmark", 75.5));
        assertEquals(new Route(List.of("postmark", "ses", "sendgrid"), "tier:engaged"),
                selector.select("bob@example.com", 5.0, candidates));
        assertEquals("weight", selector.select("bob@example.com", 4.99, candidates).reason());
        // A domain rule comes before the tier.
        assertEquals("rule:gmail.com", selector.select("bob@gmail.com", 50, candidates).reason());
    }

    @Test
    void aProvidersReputationAtTheRecipientsMailboxOperatorDecidesWhereItIsKnownAndTheReasonSaysSo() {
        // Provider-wide postmark is best; at iCloud, sendgrid has the better record (enough volume there); ses has
        // no iCloud figures and keeps its provider-wide score.
        Candidates candidates = new Candidates(List.of("ses", "sendgrid", "postmark"), false, WEIGHTS,
                Map.of("ses", 61.0, "sendgrid", 40.0, "postmark", 75.5),
                Map.of("icloud.com", Map.of("sendgrid", 90.0, "postmark", 30.0)));
        assertEquals(new Route(List.of("sendgrid", "ses", "postmark"), "tier:engaged;domain:icloud.com"),
                selector.select("bob@me.com", 5.0, candidates));
        // The domain figures compared, though the provider-wide best wins: the reason still says they were used.
        Candidates postmarkBestThere = new Candidates(List.of("ses", "sendgrid", "postmark"), false, WEIGHTS,
                Map.of("ses", 61.0, "sendgrid", 40.0, "postmark", 75.5), Map.of("icloud.com", Map.of("postmark", 80.0)));
        assertEquals(new Route(List.of("postmark", "ses", "sendgrid"), "tier:engaged;domain:icloud.com"),
                selector.select("bob@icloud.com", 5.0, postmarkBestThere));
        // Another operator without domain figures, and unknown domains: the provider-wide scores, plain reason.
        assertEquals(new Route(List.of("postmark", "ses", "sendgrid"), "tier:engaged"), selector.select("bob@gmx.net", 5.0, candidates));
        assertEquals(new Route(List.of("postmark", "ses", "sendgrid"), "tier:engaged"),
                selector.select("bob@example.com", 5.0, new Candidates(List.of("ses", "sendgrid", "postmark"), false, WEIGHTS,
                        Map.of("ses", 61.0, "sendgrid", 40.0, "postmark", 75.5), Map.of("other", Map.of("sendgrid", 99.0)))));
        // Below the tier, the weights decide as before.
        assertEquals("weight", selector.select("bob@me.com", 1.0, candidates).reason());
    }

    @Test
    void weightsSpreadManyAddressesCloseToTheirShares() {
        Map<String, Integer> chosen = new HashMap<>();
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            Route route = selector.select("user" + i + "@example.com", 0, all());
            assertEquals("weight", route.reason());
            chosen.merge(route.order().get(0), 1, Integer::sum);
        }
        assertEquals(0.50, chosen.get("ses") / (double) n, 0.02, chosen.toString());
        assertEquals(0.30, chosen.get("sendgrid") / (double) n, 0.02, chosen.toString());
        assertEquals(0.20, chosen.get("postmark") / (double) n, 0.02, chosen.toString());
    }

    @Test
    void theSameAddressAlwaysGetsTheSameRoute() {
        for (int i = 0; i < 200; i++) {
            String address = "r" + i + "@example.org";
            Route first = selector.select(address, 0, all());
            assertEquals(first, new ProviderSelector(RULES).select(address, 0, all()));
            assertEquals(first, selector.select(address.toUpperCase(), 0, all()), "letter case does not change the choice");
        }
    }

    @Test
    void aZeroWeightGetsNoWeightedTrafficButStaysInTheFailoverOrder() {
        Candidates noPostmark = new Candidates(List.of("ses", "sendgrid", "postmark"), false,
                Map.of("ses", 50, "sendgrid", 30, "postmark", 0), Map.of());
        for (int i = 0; i < 2_000; i++) {
            Route route = selector.select("z" + i + "@example.com", 0, noPostmark);
            assertTrue(!route.order().get(0).equals("postmark"), route.toString());
            assertEquals(3, route.order().size());
        }
    }

    @Test
    void aPinnedCampaignUsesItsOwnOrderWithinItsList() {
        Candidates pinned = new Candidates(List.of("postmark", "ses"), true, WEIGHTS, Map.of());
        assertEquals(new Route(List.of("postmark", "ses"), "order"), selector.select("c@example.com", 0, pinned));
        // Rules still apply within the pinned list, and never pick a provider outside it.
        assertEquals(new Route(List.of("ses", "postmark"), "rule:gmail.com"), selector.select("c@gmail.com", 0, pinned));
    }

    @Test
    void anOpenBreakerIsAbsentFromTheCandidatesSoNobodyIsRoutedThere() {
        Candidates withoutSes = new Candidates(List.of("sendgrid", "postmark"), false, WEIGHTS, Map.of());
        for (int i = 0; i < 1_000; i++) {
            assertTrue(!selector.select("o" + i + "@outlook.com", 0, withoutSes).order().contains("ses"));
        }
    }

    @Test
    void noCandidatesGiveAnEmptyRoute() {
        assertEquals(List.of(), selector.select("a@example.com", 0, new Candidates(List.of(), false, WEIGHTS, Map.of())).order());
    }

    @Test
    void breakerThresholdNeedsTheMinimumCalls() {
        DeliveryRules.Breaker b = new DeliveryRules.Breaker(Duration.ofSeconds(60), 3, 50, Duration.ofSeconds(30));
        assertTrue(!health(2, 2).failingBeyond(b));
        assertTrue(health(3, 2).failingBeyond(b));
        assertTrue(!health(5, 2).failingBeyond(b));
        assertTrue(health(4, 2).failingBeyond(b));
    }

    private static ProviderHealth health(long calls, long failures) {
        return new ProviderHealth("ses", CircuitState.CLOSED, null, null, null, calls, failures, 0, 0, 0, null);
    }
}
