package dev.dispatch.domain.analytics;

import dev.dispatch.domain.engagement.SubscriberEngagement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Churn risk: logistic regression on three features of a subscriber's stored engagement, with its coefficients
 * shown so that every risk can be recomputed by hand:
 *
 * <ul>
 *   <li>{@code recencyDays}: days since the last open or click (since first seen when there was none), capped at 365;
 *   <li>{@code frequency}: {@code ln(1 + opens + clicks per 30 days seen)};
 *   <li>{@code trend}: {@code ln((1 + score now) / (1 + steady score))}, the decayed score (30-day half life) against
 *       the score the subscriber's lifetime average pace would hold: below 0 when engagement is falling off.
 * </ul>
 *
 * <p>{@code risk = 1 / (1 + exp(-(b0 + b1 recencyDays + b2 frequency + b3 trend)))}. The features are standardized
 * before fitting (means and deviations are part of the model) so that the fit is well conditioned; the
 * coefficients reported are per standard deviation. {@link #fit} is Newton's method (IRLS) with a small ridge.
 */
public record ChurnModel(double[] means, double[] deviations, double[] coefficients) {
    public static final List<String> FEATURES = List.of("recencyDays", "frequency", "trend");
    /**
     * The coefficients the reports use: fitted on the synthetic history of {@code ChurnModelTest} (4,000 subscribers,
     * seed 1), which re-fits and checks them; its held-out AUC is in the README.
     */
    public static final ChurnModel STANDARD = new ChurnModel(new double[] {29.591, 1.1935, -0.1979},
            new double[] {36.7286, 0.7603, 0.3368}, new double[] {-0.9431, 0.5284, -0.1563, -0.4249});
    private static final double RIDGE = 1e-3;
    private static final int ITERATIONS = 50;
    private static final double DAY_MILLIS = Duration.ofDays(1).toMillis();

    public ChurnModel {
        means = means.clone();
        deviations = deviations.clone();
        coefficients = coefficients.clone();
    }

    /**
     * The three features of {@code e} as of {@code now} (in the order of {@link #FEATURES}).
     *
     * @param joinedAt when the subscriber joined, if known (the earlier of it and the first event seen counts)
     */
    public static double[] features(SubscriberEngagement e, Instant joinedAt, Instant now) {
        Instant first = e.firstSeenAt();
        if (joinedAt != null && (first == null || joinedAt.isBefore(first))) {
            first = joinedAt;
        }
        if (first == null || first.isAfter(now)) {
            first = now;
        }
        Instant last = e.lastActivityAt() != null ? e.lastActivityAt() : first;
        double recency = Math.min(365, Math.max(0, (now.toEpochMilli() - last.toEpochMilli()) / DAY_MILLIS));
        double seenDays = Math.max(1, (now.toEpochMilli() - first.toEpochMilli()) / DAY_MILLIS);
        double engagements = e.opens() + e.clicks();
        double frequency = Math.log1p(engagements * 30 / Math.max(30, seenDays));
        double weighted = e.opens() * SubscriberEngagement.OPEN_WEIGHT + e.clicks() * SubscriberEngagement.CLICK_WEIGHT;
        // a steady pace of r weight per day holds a score of r / ln(2) * half-life (in days)
        double steady = weighted / seenDays * SubscriberEngagement.HALF_LIFE.toDays() / Math.log(2);
        double trend = Math.log((1 + e.scoreAt(now)) / (1 + steady));
        return new double[] {recency, frequency, trend};
    }

    /** The probability that the subscriber churns. */
    public double risk(double[] x) {
        double z = coefficients[0];
        for (int i = 0; i < x.length; i++) {
            z += coefficients[i + 1] * (x[i] - means[i]) / deviations[i];
        }
        return 1 / (1 + Math.exp(-z));
    }

    /** The intercept and one coefficient per feature (per standard deviation), with each feature's mean and deviation. */
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", "logistic regression on standardized features");
        out.put("intercept", round(coefficients[0]));
        Map<String, Object> features = new LinkedHashMap<>();
        for (int i = 0; i < FEATURES.size(); i++) {
            features.put(FEATURES.get(i), Map.of("coefficient", round(coefficients[i + 1]), "mean", round(means[i]),
                    "deviation", round(deviations[i])));
        }
        out.put("features", features);
        out.put("formula", "risk = 1 / (1 + exp(-(intercept + sum(coefficient * (value - mean) / deviation))))");
        return out;
    }

    /** Fits the model to examples (rows of {@link #features}) and labels (true = churned). */
    public static ChurnModel fit(List<double[]> xs, List<Boolean> churned) {
        int n = xs.size();
        int k = FEATURES.size();
        if (n == 0 || n != churned.size()) {
            throw new IllegalArgumentException("need as many labels as examples, and at least one");
        }
        double[] means = new double[k];
        double[] deviations = new double[k];
        for (double[] x : xs) {
            for (int j = 0; j < k; j++) {
                means[j] += x[j] / n;
            }
        }
        for (double[] x : xs) {
            for (int j = 0; j < k; j++) {
                deviations[j] += (x[j] - means[j]) * (x[j] - means[j]) / n;
            }
        }
        for (int j = 0; j < k; j++) {
            deviations[j] = deviations[j] > 0 ? Math.sqrt(deviations[j]) : 1;
        }
        double[][] z = new double[n][k + 1];
        for (int i = 0; i < n; i++) {
            z[i][0] = 1;
            for (int j = 0; j < k; j++) {
                z[i][j + 1] = (xs.get(i)[j] - means[j]) / deviations[j];
            }
        }
        double[] beta = new double[k + 1];
        for (int iteration = 0; iteration < ITERATIONS; iteration++) {
            double[] gradient = new double[k + 1];
            double[][] hessian = new double[k + 1][k + 1];
            for (int i = 0; i < n; i++) {
                double p = 1 / (1 + Math.exp(-dot(beta, z[i])));
                double y = churned.get(i) ? 1 : 0;
                double w = p * (1 - p);
                for (int a = 0; a <= k; a++) {
                    gradient[a] += (y - p) * z[i][a];
                    for (int b = 0; b <= k; b++) {
                        hessian[a][b] += w * z[i][a] * z[i][b];
                    }
                }
            }
            for (int a = 1; a <= k; a++) {
                gradient[a] -= RIDGE * n * beta[a];
                hessian[a][a] += RIDGE * n;
            }
            double[] step = solve(hessian, gradient);
            double size = 0;
            for (int a = 0; a <= k; a++) {
                beta[a] += step[a];
                size = Math.max(size, Math.abs(step[a]));
            }
            if (size < 1e-9) {
                break;
            }
        }
        return new ChurnModel(means, deviations, beta);
    }

    /**
     * Area under the ROC curve: the probability that a churner drawn at random has a higher risk than a stayer drawn
     * at random (ties count half), by ranks (Mann-Whitney).
     */
    public static double auc(double[] risks, boolean[] churned) {
        Integer[] order = new Integer[risks.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(risks[a], risks[b]));
        double rankSum = 0;
        long positives = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && risks[order[j + 1]] == risks[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++) {
                if (churned[order[t]]) {
                    rankSum += rank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = risks.length - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException("the AUC needs churners and stayers");
        }
        return (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    /** Gaussian elimination with partial pivoting; the ridge keeps the matrix positive definite. */
    private static double[] solve(double[][] matrix, double[] vector) {
        int n = vector.length;
        double[][] a = new double[n][];
        double[] b = vector.clone();
        for (int i = 0; i < n; i++) {
            a[i] = matrix[i].clone();
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] row = a[col];
            a[col] = a[pivot];
            a[pivot] = row;
            double t = b[col];
            b[col] = b[pivot];
            b[pivot] = t;
            for (int r = col + 1; r < n; r++) {
                double f = a[r][col] / a[col][col];
                for (int c = col; c < n; c++) {
                    a[r][c] -= f * a[col][c];
                }
                b[r] -= f * b[col];
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double sum = b[r];
            for (int c = r + 1; c < n; c++) {
                sum -= a[r][c] * x[c];
            }
            x[r] = sum / a[r][r];
        }
        return x;
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }
}
