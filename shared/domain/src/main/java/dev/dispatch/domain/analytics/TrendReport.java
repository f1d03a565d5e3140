package dev.dispatch.domain.analytics;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.engagement.DeliveryStats;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One metric's daily series over a period and its forecast for the next {@value #HORIZON} days with a 95 %
 * prediction band ({@link Forecast#linear}: least-squares line on the day index). Metrics: the daily counts
 * ({@link DeliveryTrends#COUNTS}) or their rates ({@link DeliveryRates#period}).
 */
public final class TrendReport {
    public static final int HORIZON = 7;
    public static final String DEFAULT_METRIC = "sent";

    private TrendReport() {}

    public static List<String> metrics() {
        List<String> metrics = new ArrayList<>(DeliveryTrends.COUNTS);
        metrics.addAll(DeliveryRates.period(Map.of()).keySet());
        return metrics;
    }

    public static String metric(String metric) {
        String name = metric == null || metric.isBlank() ? DEFAULT_METRIC : metric.strip();
        if (!metrics().contains(name)) {
            throw new InvalidInputException("metric", "must be one of " + String.join(", ", metrics()));
        }
        return name;
    }

    public static Map<String, Object> build(DeliveryTrends.Period period, String provider, String metric, List<DeliveryStats.Day> stats) {
        boolean rate = !DeliveryTrends.COUNTS.contains(metric);
        List<Map<String, Object>> days = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        DeliveryTrends.daily(period, provider, stats).forEach((day, counts) -> {
            double value = rate ? DeliveryRates.period(counts).get(metric) : counts.get(metric);
            values.add(value);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("day", day.toString());
            row.put("value", value);
            days.add(row);
        });
        Forecast.Fit fit = Forecast.linear(values, HORIZON, true);
        List<Map<String, Object>> forecast = new ArrayList<>();
        LocalDate last = period.to();
        for (Forecast.Point p : fit.points()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("day", last.plusDays(p.step()).toString());
            row.put("value", rate ? Math.min(1, p.value()) : p.value());
            row.put("low", rate ? Math.min(1, p.low()) : p.low());
            row.put("high", rate ? Math.min(1, p.high()) : p.high());
            forecast.add(row);
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("method", "least-squares linear trend on the day index, 95 % prediction interval (Student t)");
        model.put("estimated", fit.estimated());
        model.put("intercept", fit.intercept());
        model.put("slopePerDay", fit.slope());
        model.put("residualSd", fit.residualSd());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("report", "trends");
        body.put("from", period.from().toString());
        body.put("to", period.to().toString());
        body.put("provider", provider);
        body.put("metric", metric);
        body.put("days", days);
        body.put("forecast", forecast);
        body.put("model", model);
        return body;
    }
}
