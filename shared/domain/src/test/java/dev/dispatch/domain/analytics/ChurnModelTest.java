package dev.dispatch.domain.analytics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The churn model's quality on a synthetic history whose truth is known (who churns is decided by construction, see
 * {@link SyntheticHistory}): fitted on one set of subscribers, measured on others it never saw. Prints the figures
 * the README quotes.
 */
class ChurnModelTest {

    private static ChurnModel fitOn(List<SyntheticHistory.Subscriber> train) {
        List<double[]> xs = new ArrayList<>();
        List<Boolean> ys = new ArrayList<>();
        for (SyntheticHistory.Subscriber s : train) {
            xs.add(ChurnModel.features(s.state(), null, SyntheticHistory.NOW));
            ys.add(s.churns());
        }
        return ChurnModel.fit(xs, ys);
    }

    private static double heldOutAuc(ChurnModel model, List<SyntheticHistory.Subscriber> test) {
        double[] risks = new double[test.size()];
        boolean[] truth = new boolean[test.size()];
        for (int i = 0; i < test.size(); i++) {
            risks[i] = model.risk(ChurnModel.features(test.get(i).state(), null, SyntheticHistory.NOW));
            truth[i] = test.get(i).churns();
        }
        return ChurnModel.auc(risks, truth);
    }

    @Test
    void givenASyntheticHistory_whenFittedOnSomeSubscribers_thenItRanksHeldOutChurnersAboveStayers() {
        List<SyntheticHistory.Subscriber> train = SyntheticHistory.generate(1, 4000, 0.3);
        List<SyntheticHistory.Subscriber> test = SyntheticHistory.generate(2, 4000, 0.3);
        ChurnModel fitted = fitOn(train);
        double auc = heldOutAuc(fitted, test);
        double standardAuc = heldOutAuc(ChurnModel.STANDARD, test);
        System.out.printf("churn model: fitted %s%nheld-out AUC %.4f (fitted), %.4f (STANDARD) on %d subscribers%n",
                fitted.describe(), auc, standardAuc, test.size());
        assertTrue(auc > 0.68, "held-out AUC " + auc);
        assertTrue(standardAuc > 0.68, "held-out AUC of the shipped coefficients " + standardAuc);
        // the shipped coefficients are this fit's, rounded: re-running it reproduces them
        assertArrayEquals(ChurnModel.STANDARD.coefficients(), round(fitted.coefficients()), 1e-3);
        assertArrayEquals(ChurnModel.STANDARD.means(), round(fitted.means()), 1e-3);
        assertArrayEquals(ChurnModel.STANDARD.deviations(), round(fitted.deviations()), 1e-3);
    }

    @Test
    void aucCountsPairsOrderedRightAndTiesAsHalf() {
        assertEquals(1.0, ChurnModel.auc(new double[] {0.1, 0.2, 0.9}, new boolean[] {false, false, true}), 1e-12);
        assertEquals(0.0, ChurnModel.auc(new double[] {0.9, 0.2, 0.1}, new boolean[] {false, false, true}), 1e-12);
        assertEquals(0.5, ChurnModel.auc(new double[] {0.5, 0.5}, new boolean[] {false, true}), 1e-12);
        assertEquals(0.75, ChurnModel.auc(new double[] {0.1, 0.3, 0.2, 0.25}, new boolean[] {false, true, true, false}), 1e-12);
    }

    @Test
    void fitRecoversTheCoefficientsOfDataDrawnFromALogisticModel() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        List<double[]> xs = new ArrayList<>();
        List<Boolean> ys = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            double[] x = {random.nextDouble() * 2 - 1, random.nextDouble() * 2 - 1, random.nextDouble() * 2 - 1};
            double z = 0.5 + 2 * x[0] - 1 * x[1] + 0 * x[2];
            xs.add(x);
            ys.add(random.nextDouble() < 1 / (1 + Math.exp(-z)));
        }
        ChurnModel model = ChurnModel.fit(xs, ys);
        // back from per-deviation to raw units: b_raw = b / deviation
        assertEquals(2.0, model.coefficients()[1] / model.deviations()[0], 0.15);
        assertEquals(-1.0, model.coefficients()[2] / model.deviations()[1], 0.15);
        assertEquals(0.0, model.coefficients()[3] / model.deviations()[2], 0.15);
    }

    private static double[] round(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.round(values[i] * 10_000) / 10_000.0;
        }
        return out;
    }
}
