package dev.dispatch.domain.analytics;

import java.util.ArrayList;
import java.util.List;

/**
 * A forecast of a daily series by ordinary least-squares linear regression on the day index, with a prediction
 * interval: for a future day x0, y = a + b x0 +- t(0.975, n-2) s sqrt(1 + 1/n + (x0 - mean x)^2 / Sxx), s the residual
 * standard error. The interval widens with distance from the data. With fewer than 3 points no interval can be
 * estimated: the forecast is the mean (or 0), with the band collapsed onto it and {@code estimated} false.
 */
public final class Forecast {
    public static final double LEVEL = 0.95;

    private Forecast() {}

    /** One day ahead ({@code step} 1 is the day after the last observation). */
    public record Point(int step, double value, double low, double high) {}

    public record Fit(double intercept, double slope, double residualSd, int n, boolean estimated, List<Point> points) {}

    /**
     * @param series the observations, one per day, oldest first
     * @param horizon how many days ahead
     * @param floorAtZero counts and rates cannot go below 0: the value and band are clipped there
     */
    public static Fit linear(List<Double> series, int horizon, boolean floorAtZero) {
        int n = series.size();
        List<Point> points = new ArrayList<>();
        if (n < 3) {
            double mean = series.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            for (int h = 1; h <= horizon; h++) {
                points.add(new Point(h, mean, mean, mean));
            }
            return new Fit(mean, 0, 0, n, false, points);
        }
        double meanX = (n - 1) / 2.0;
        double meanY = series.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < n; i++) {
            sxx += (i - meanX) * (i - meanX);
            sxy += (i - meanX) * (series.get(i) - meanY);
        }
        double slope = sxy / sxx;
        double intercept = meanY - slope * meanX;
        double sse = 0;
        for (int i = 0; i < n; i++) {
            double r = series.get(i) - (intercept + slope * i);
            sse += r * r;
        }
        double s = Math.sqrt(sse / (n - 2));
        double t = tQuantile975(n - 2);
        for (int h = 1; h <= horizon; h++) {
            double x0 = n - 1 + h;
            double value = intercept + slope * x0;
            double half = t * s * Math.sqrt(1 + 1.0 / n + (x0 - meanX) * (x0 - meanX) / sxx);
            double low = value - half;
            double high = value + half;
            if (floorAtZero) {
                value = Math.max(0, value);
                low = Math.max(0, low);
                high = Math.max(0, high);
            }
            points.add(new Point(h, value, low, high));
        }
        return new Fit(intercept, slope, s, n, true, points);
    }

    /**
     * Student's t 97.5 % quantile for {@code df} degrees of freedom: exact table values up to 30, then the
     * Cornish-Fisher expansion around the normal quantile 1.959964 (error below 0.001 there).
     */
    static double tQuantile975(int df) {
        double[] table = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
            2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045,
            2.042};
        if (df >= 1 && df <= table.length) {
            return table[df - 1];
        }
        double z = 1.959964;
        double v = df;
        return z + (z * z * z + z) / (4 * v) + (5 * Math.pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * v * v);
    }
}
