package dev.dispatch.domain.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.analytics.Significance;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The A/B test's input rules and its decision on per-variant counters. */
class AbTestTest {
    private static final Instant NOW = Instant.parse("2032-06-01T10:00:00Z");
    private static final List<Variant> TWO = List.of(new Variant("A", 50, "a", null, null), new Variant("B", 50, "b", null, null));

    private static InvalidInputException refused(AbTest.Input input) {
        return assertThrows(InvalidInputException.class, () -> input.validate(TWO));
    }

    @Test
    void givenBadSettings_whenValidated_thenEachIsRefusedNamingItsField() {
        assertEquals("abTest.metric", refused(new AbTest.Input(20, 60, "revenue", 100, null, null)).field());
        assertEquals("abTest.metric", refused(new AbTest.Input(20, 60, null, 100, null, null)).field());
        assertEquals("abTest.samplePercent", refused(new AbTest.Input(0, 60, "open", 100, null, null)).field());
        assertEquals("abTest.samplePercent", refused(new AbTest.Input(100, 60, "open", 100, null, null)).field());
        assertEquals("abTest.waitMinutes", refused(new AbTest.Input(20, 0, "open", 100, null, null)).field());
        assertEquals("abTest.minSamplePerVariant", refused(new AbTest.Input(20, 60, "open", 5, null, null)).field());
        assertEquals("abTest.confidence", refused(new AbTest.Input(20, 60, "open", 100, 1.0, null)).field());
        assertEquals("abTest.fallback", refused(new AbTest.Input(20, 60, "open", 100, null, "C")).field());
        assertEquals("variants", assertThrows(InvalidInputException.class,
                () -> new AbTest.Input(20, 60, "open", 100, null, null).validate(List.of())).field());
    }

    @Test
    void givenGoodSettings_whenValidated_thenDefaultsAreFilledIn() {
        AbTest test = new AbTest.Input(20, 60, "clickToOpen", 100, null, null).validate(TWO);
        assertEquals(AbTest.Metric.CLICK_TO_OPEN, test.metric());
        assertEquals(0.95, test.confidence());
        assertEquals("A", test.fallback(), "the first variant by default");
        assertEquals(AbTest.SPLIT, new AbTest.Input(20, 60, "open", 100, 0.9, "split").validate(TWO).fallback());
    }

    @Test
    void givenAnAudienceTooSmallForTheSample_whenChecked_thenRefusedNamingTheSampleShare() {
        AbTest test = new AbTest.Input(20, 60, "open", 100, null, null).validate(TWO);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> test.checkSampleSize(TWO, 999));
        assertEquals("abTest.samplePercent", e.field());
        assertTrue(e.reason().contains("too small"), e.reason());
        test.checkSampleSize(TWO, 1000); // 20 % of 1000 = 200, 100 per variant
    }

    private static Map<String, Long> counts(long sentA, long openedA, long sentB, long openedB) {
        Map<String, Long> c = new HashMap<>();
        c.put("variant.A.sent", sentA);
        c.put("variant.A.uniqueOpened", openedA);
        c.put("variant.B.sent", sentB);
        c.put("variant.B.uniqueOpened", openedB);
        return c;
    }

    @Test
    void givenAClearLead_whenDecided_thenTheLeaderWinsWithTheZTestsFigures() {
        AbTest test = new AbTest.Input(20, 60, "open", 100, 0.95, "A").validate(TWO);
        AbTestDecision d = AbTestDecider.decide(test, TWO, counts(200, 40, 200, 70), NOW);
        Significance.Result expected = Significance.twoProportions(70, 200, 40, 200);
        assertEquals("B", d.winner());
        assertEquals("B", d.sendTo());
        assertEquals(AbTestDecision.SIGNIFICANT, d.reason());
        assertEquals(expected.z(), d.z(), 1e-12);
        assertEquals(expected.pValue(), d.pValue(), 1e-12);
        assertEquals(0.35, d.variants().get(1).rate(), 1e-12);
        assertEquals(200, d.variants().get(0).base(), "no delivery events: sent minus bounced is the base");
    }

    @Test
    void givenNoSignificantLead_whenDecided_thenTheFallbackWithoutAWinner() {
        AbTest test = new AbTest.Input(20, 60, "open", 100, 0.95, "split").validate(TWO);
        AbTestDecision d = AbTestDecider.decide(test, TWO, counts(200, 40, 200, 48), NOW);
        assertNull(d.winner());
        assertEquals("B", d.leader());
        assertEquals(AbTest.SPLIT, d.sendTo());
        assertTrue(d.fallbackUsed());
        assertEquals(AbTestDecision.NOT_SIGNIFICANT, d.reason());
    }

    @Test
    void givenTooFewInAVariant_whenDecided_thenNoWinnerHoweverLargeTheLead() {
        AbTest test = new AbTest.Input(20, 60, "open", 100, 0.95, "A").validate(TWO);
        AbTestDecision d = AbTestDecider.decide(test, TWO, counts(99, 0, 400, 300), NOW);
        assertNull(d.winner());
        assertEquals("A", d.sendTo());
        assertEquals(AbTestDecision.SAMPLE_TOO_SMALL, d.reason());
    }

    @Test
    void givenSixVariants_whenOneLeadsOnlyAtAnUncorrectedLevel_thenTheBonferroniCorrectionRefusesIt() {
        List<Variant> six = List.of(new Variant("A", 20, "a", null, null), new Variant("B", 16, "b", null, null),
                new Variant("C", 16, "c", null, null), new Variant("D", 16, "d", null, null),
                new Variant("E", 16, "e", null, null), new Variant("F", 16, "f", null, null));
        AbTest test = new AbTest.Input(20, 60, "open", 100, 0.95, "A").validate(six);
        Map<String, Long> c = new HashMap<>();
        for (Variant v : six) {
            c.put("variant." + v.id() + ".sent", 500L);
            c.put("variant." + v.id() + ".uniqueOpened", 100L);
        }
        c.put("variant.F.uniqueOpened", 128L); // p about 0.03 against each other: below 0.05, above 0.05 / 5
        AbTestDecision d = AbTestDecider.decide(test, six, c, NOW);
        assertEquals("F", d.leader());
        assertTrue(d.pValue() < 0.05 && d.pValue() > 0.01, "p " + d.pValue());
        assertEquals(0.01, d.requiredPValue(), 1e-12);
        assertNull(d.winner());
    }

    @Test
    void givenClickToOpen_whenDecided_thenOpensAreTheBase() {
        AbTest test = new AbTest.Input(20, 60, "clickToOpen", 30, 0.95, "A").validate(TWO);
        Map<String, Long> c = counts(500, 100, 500, 100);
        c.put("variant.A.uniqueClicked", 10L);
        c.put("variant.B.uniqueClicked", 40L);
        AbTestDecision d = AbTestDecider.decide(test, TWO, c, NOW);
        assertEquals(100, d.variants().get(1).base());
        assertEquals(0.4, d.variants().get(1).rate(), 1e-12);
        assertEquals("B", d.winner());
    }

    @Test
    void givenSampleMembership_thenItIsStableAndIndependentOfTheVariant() {
        int inSample = 0;
        int sampleA = 0;
        for (int i = 0; i < 4000; i++) {
            String key = "p" + i + "@example.com";
            boolean in = VariantAssignment.inSample("cmp_1", key, 25);
            assertEquals(in, VariantAssignment.inSample("cmp_1", key, 25));
            if (in) {
                inSample++;
                if ("A".equals(VariantAssignment.variantFor("cmp_1", key, TWO))) {
                    sampleA++;
                }
            }
        }
        assertTrue(inSample > 900 && inSample < 1100, "about 25 %: " + inSample);
        assertTrue(sampleA > inSample * 0.42 && sampleA < inSample * 0.58, "both variants in the sample: " + sampleA);
    }
}
