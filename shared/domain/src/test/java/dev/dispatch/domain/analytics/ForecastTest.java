package dev.dispatch.domain.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ForecastTest {

    @Test
    void anExactLineIsContinuedWithNoBand() {
        List<Double> series = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            series.add(2.0 + 3.0 * i);
        }
        Forecast.Fit fit = Forecast.linear(series, 7, false);
        assertEquals(3.0, fit.slope(), 1e-9);
        assertEquals(2.0, fit.intercept(), 1e-9);
        assertEquals(7, fit.points().size());
        Forecast.Point first = fit.points().get(0);
        assertEquals(2.0 + 3.0 * 10, first.value(), 1e-9);
        assertEquals(first.value(), first.low(), 1e-9);
        assertEquals(first.value(), first.high(), 1e-9);
        assertEquals(2.0 + 3.0 * 16, fit.points().get(6).value(), 1e-9);
    }

    @Test
    void theBandWidensWithTheHorizonAndCountsStayAtOrAboveZero() {
        List<Double> falling = List.of(50.0, 41.0, 33.0, 22.0, 15.0, 9.0, 2.0);
        Forecast.Fit fit = Forecast.linear(falling, 7, true);
        for (int h = 1; h < fit.points().size(); h++) {
            Forecast.Point before = fit.points().get(h - 1);
            Forecast.Point after = fit.points().get(h);
            assertTrue(after.value() >= 0 && after.low() >= 0);
            assertTrue(after.high() - after.value() >= before.high() - before.value() - 1e-9, "band widens");
        }
        assertEquals(0.0, fit.points().get(6).value());
    }

    @Test
    void tooFewPointsGiveTheMeanAndNoEstimate() {
        Forecast.Fit fit = Forecast.linear(List.of(4.0, 6.0), 3, true);
        assertFalse(fit.estimated());
        assertEquals(5.0, fit.points().get(2).value());
    }

    @Test
    void theNinetyFivePercentIntervalCoversAboutNinetyFivePercentOfNextDays() {
        Random random = new Random(7);
        int runs = 4000;
        int covered = 0;
        for (int run = 0; run < runs; run++) {
            List<Double> series = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                series.add(100 + 2.0 * i + 10 * random.nextGaussian());
            }
            Forecast.Point next = Forecast.linear(series, 1, false).points().get(0);
            double actual = 100 + 2.0 * 30 + 10 * random.nextGaussian();
            covered += actual >= next.low() && actual <= next.high() ? 1 : 0;
        }
        double coverage = (double) covered / runs;
        assertTrue(coverage > 0.935 && coverage < 0.965, "coverage " + coverage);
    }

    @Test
    void studentQuantiles() {
        assertEquals(2.228, Forecast.tQuantile975(10), 1e-3);
        assertEquals(2.000, Forecast.tQuantile975(60), 1e-3);
        assertEquals(1.980, Forecast.tQuantile975(120), 1e-3);
    }
}
