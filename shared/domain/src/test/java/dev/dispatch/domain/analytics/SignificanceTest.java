package dev.dispatch.domain.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SignificanceTest {

    @Test
    void normalCdfMatchesTables() {
        assertEquals(0.5, Significance.normalCdf(0), 1e-7);
        assertEquals(0.975, Significance.normalCdf(1.959964), 1e-6);
        assertEquals(0.841345, Significance.normalCdf(1), 1e-6);
        assertEquals(0.158655, Significance.normalCdf(-1), 1e-6);
    }

    @Test
    void twoProportionZTestMatchesAHandComputation() {
        // 200/1000 vs 150/1000: pooled 0.175, se = sqrt(0.175 * 0.825 * 2/1000) = 0.0169926, z = 0.05 / se
        Significance.Result r = Significance.twoProportions(200, 1000, 150, 1000);
        assertEquals(2.94245, r.z(), 1e-4);
        assertEquals(0.003257, r.pValue(), 2e-5);
        assertEquals(1 - r.pValue(), r.confidence(), 1e-12);
        Significance.Result reversed = Significance.twoProportions(150, 1000, 200, 1000);
        assertEquals(-r.z(), reversed.z(), 1e-12);
        assertEquals(r.pValue(), reversed.pValue(), 1e-12);
    }

    @Test
    void emptyOrIdenticalSamplesShowNoConfidence() {
        assertEquals(0, Significance.twoProportions(0, 0, 5, 10).confidence());
        assertEquals(0, Significance.twoProportions(0, 100, 0, 100).confidence());
        assertEquals(0, Significance.twoProportions(30, 100, 30, 100).confidence(), 1e-6); // erf approximation
    }

    @Test
    void underEqualRatesAboutFivePercentOfTestsReachNinetyFivePercentConfidence() {
        Random random = new Random(42);
        int trials = 2000;
        int falseWinners = 0;
        for (int t = 0; t < trials; t++) {
            int a = 0;
            int b = 0;
            for (int i = 0; i < 1000; i++) {
                a += random.nextDouble() < 0.2 ? 1 : 0;
                b += random.nextDouble() < 0.2 ? 1 : 0;
            }
            falseWinners += Significance.twoProportions(a, 1000, b, 1000).confidence() >= 0.95 ? 1 : 0;
        }
        double share = (double) falseWinners / trials;
        assertTrue(share > 0.03 && share < 0.07, "false winners: " + share);
    }
}
