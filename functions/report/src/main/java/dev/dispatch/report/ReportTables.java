package dev.dispatch.report;

import dev.dispatch.domain.analytics.ChurnModel;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/** Each report's main table as CSV (RFC 4180, header row first): the figures of the JSON body, flattened. */
final class ReportTables {
    static final List<String> CAMPAIGN_COUNTS = List.of("recipients", "sent", "delivered", "uniqueOpened", "uniqueClicked",
            "bounced", "softBounced", "complained", "unsubscribed");
    static final List<String> CAMPAIGN_RATES = List.of("deliveryRate", "openRate", "clickRate", "clickToOpenRate",
            "bounceRate", "complaintRate", "unsubscribeRate");
    static final List<String> PERIOD_COUNTS = List.of("sent", "delivered", "opened", "clicked", "bounced", "softBounced",
            "complained", "unsubscribed");
    static final List<String> PERIOD_RATES = List.of("deliveryRate", "openRate", "clickRate", "bounceRate", "complaintRate",
            "unsubscribeRate");

    private ReportTables() {}

    static String csv(String report, Map<String, Object> body) {
        List<String> header = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        switch (report) {
            case "campaign" -> {
                header.addAll(List.of("scope", "name"));
                header.addAll(CAMPAIGN_COUNTS);
                header.addAll(CAMPAIGN_RATES);
                rows.add(row("campaign", (String) body.get("id"), body, CAMPAIGN_COUNTS, CAMPAIGN_RATES));
                map(body.get("variants")).forEach((name, v) -> rows.add(row("variant", name, map(v), CAMPAIGN_COUNTS, CAMPAIGN_RATES)));
                map(body.get("providers")).forEach((name, v) -> rows.add(row("provider", name, map(v), CAMPAIGN_COUNTS, CAMPAIGN_RATES)));
                map(body.get("domains")).forEach((name, v) -> rows.add(row("domain", name, map(v), CAMPAIGN_COUNTS, CAMPAIGN_RATES)));
            }
            case "providers" -> {
                header.addAll(List.of("provider", "share"));
                header.addAll(PERIOD_COUNTS);
                header.addAll(PERIOD_RATES);
                header.addAll(List.of("reputation", "pricePerThousand", "estimatedCost", "calls", "latencyMeanMs",
                        "latencyP50Ms", "latencyP95Ms", "failovers"));
                for (Object p : (List<?>) body.get("providers")) {
                    Map<String, Object> provider = map(p);
                    List<Object> row = row((String) provider.get("provider"), null, provider, PERIOD_COUNTS, PERIOD_RATES);
                    row.set(1, provider.get("share"));
                    row.add(map(provider.get("reputation")).get("score"));
                    row.add(provider.get("pricePerThousand"));
                    row.add(provider.get("estimatedCost"));
                    Map<String, Object> latency = map(provider.get("latency"));
                    for (String figure : List.of("calls", "meanMs", "p50Ms", "p95Ms")) {
                        row.add(latency.get(figure) == null ? "" : latency.get(figure)); // no calls: no latency
                    }
                    row.add(provider.get("failovers"));
                    rows.add(row);
                }
            }
            case "trends" -> {
                header.addAll(List.of("day", "kind", (String) body.get("metric"), "low", "high"));
                for (Object d : (List<?>) body.get("days")) {
                    rows.add(new ArrayList<>(List.of(map(d).get("day"), "actual", map(d).get("value"), "", "")));
                }
                for (Object f : (List<?>) body.get("forecast")) {
                    Map<String, Object> point = map(f);
                    rows.add(new ArrayList<>(List.of(point.get("day"), "forecast", point.get("value"), point.get("low"), point.get("high"))));
                }
            }
            case "lifecycle" -> {
                // one row per day: the stage counts at its end, then every move seen in the period
                List<String> stages = ((List<?>) body.get("stages")).stream().map(String::valueOf).toList();
                List<String> moves = map(body.get("moves")).keySet().stream().sorted().toList();
                header.add("day");
                header.addAll(stages);
                header.addAll(moves);
                header.add("projected");
                for (Object d : (List<?>) body.get("days")) {
                    Map<String, Object> day = map(d);
                    List<Object> row = new ArrayList<>();
                    row.add(day.get("day"));
                    stages.forEach(st -> row.add(map(day.get("stages")).get(st)));
                    moves.forEach(m -> row.add(map(day.get("moves")).getOrDefault(m, 0L)));
                    row.add(day.get("projected"));
                    rows.add(row);
                }
            }
            case "churn" -> {
                List<String> features = ChurnModel.FEATURES;
                header.addAll(List.of("email", "risk"));
                header.addAll(features);
                header.addAll(List.of("stage", "lastActivityAt", "opens", "clicks"));
                for (Object r : (List<?>) body.get("atRisk")) {
                    Map<String, Object> subscriber = map(r);
                    List<Object> row = new ArrayList<>(List.of(subscriber.get("email"), subscriber.get("risk")));
                    features.forEach(f -> row.add(map(subscriber.get("features")).get(f)));
                    row.add(subscriber.get("stage"));
                    row.add(subscriber.get("lastActivityAt") == null ? "" : subscriber.get("lastActivityAt"));
                    row.add(subscriber.get("opens"));
                    row.add(subscriber.get("clicks"));
                    rows.add(row);
                }
            }
            default -> throw new IllegalArgumentException(report);
        }
        StringWriter out = new StringWriter();
        try (CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader(header.toArray(String[]::new)).get())) {
            for (List<Object> row : rows) {
                printer.printRecord(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static List<Object> row(String scope, String name, Map<String, Object> entry, List<String> counts, List<String> rates) {
        List<Object> row = new ArrayList<>();
        row.add(scope);
        row.add(name);
        Map<String, Object> c = map(entry.get("counts"));
        Map<String, Object> r = map(entry.get("rates"));
        counts.forEach(n -> row.add(c.getOrDefault(n, 0L)));
        rates.forEach(n -> row.add(r.get(n)));
        return row;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }
}
