package dev.dispatch.domain.analytics;

/**
 * Whether one proportion is really ahead of another: the two-proportion z-test with a pooled standard error,
 * z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)) with p = (x1 + x2) / (n1 + n2). Confidence is 1 minus the two-sided
 * p-value: 0.95 means a difference this large would arise by chance one time in twenty if both were equal.
 */
public final class Significance {

    private Significance() {}

    /** z, two-sided p-value and confidence; z = 0 and confidence 0 when a sample is empty or nothing differs. */
    public record Result(double z, double pValue, double confidence) {}

    public static Result twoProportions(long successes1, long trials1, long successes2, long trials2) {
        if (trials1 <= 0 || trials2 <= 0) {
            return new Result(0, 1, 0);
        }
        double p1 = (double) successes1 / trials1;
        double p2 = (double) successes2 / trials2;
        double pooled = (double) (successes1 + successes2) / (trials1 + trials2);
        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / trials1 + 1.0 / trials2));
        if (se == 0) {
            return new Result(0, 1, 0);
        }
        double z = (p1 - p2) / se;
        double p = 2 * (1 - normalCdf(Math.abs(z)));
        p = Math.min(1, Math.max(0, p));
        return new Result(z, p, 1 - p);
    }

    /** The standard normal distribution function (Abramowitz and Stegun 7.1.26 for erf, error below 1.5e-7). */
    public static double normalCdf(double x) {
        double t = Math.abs(x) / Math.sqrt(2);
        double k = 1 / (1 + 0.3275911 * t);
        double erf = 1 - (((((1.061405429 * k - 1.453152027) * k) + 1.421413741) * k - 0.284496736) * k + 0.254829592)
                * k * Math.exp(-t * t);
        return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}
