package dev.dispatch.local.bench;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The goal figures of the campaign and pacing benchmarks, read from the text report each of them writes. Reading
 * the finished report (rather than threading every value out of the measuring code) leaves their measuring logic
 * untouched; a line that is not found gives a figure without a value and says so, so a changed report shows up in
 * the summary instead of passing silently.
 */
final class ReportFigures {
    private ReportFigures() {}

    static BenchmarkFigures campaign(String report) {
        BenchmarkFigures f = new BenchmarkFigures();
        double calls = number(report, "TOTAL AWS calls\\s+[\\d,.]+\\s+([\\d,.]+)");
        f.add("AWS calls per 1,000 recipients", calls, "calls", "<= 50", met(calls, calls <= 50),
                found(calls, "campaign run, from the send request to status sent; issue 9's <= 100 "
                        + (calls <= 100 ? "met" : "not met") + "; largest: " + largestCalls(report, 4)));
        double cost = number(report, "total\\s+->\\s+\\$\\s*([\\d,.]+) per million recipients");
        Matcher units = Pattern.compile("DynamoDB\\s+([\\d,]+) WRU \\+ ([\\d,]+) GSI WRU \\+ ([\\d,]+) RRU per million -> \\$\\s*([\\d.]+)")
                .matcher(report);
        String limit = units.find() ? String.format(Locale.ROOT, "; DynamoDB $%s of it: %s WRU, %s GSI WRU, %s RRU per million"
                + " (every read is strongly consistent: 1 RRU per profile, suppression and erasure record read)",
                units.group(4), units.group(1), units.group(2), units.group(3)) : "";
        f.add("AWS cost per million recipients", cost, "USD", "<= 0.30", met(cost, cost <= 0.30),
                found(cost, "on-demand list prices; excludes the provider's fee" + limit));
        double share = number(report, "end to end = ([\\d,.]+)% of it");
        f.add("end to end vs the slowest part's limit", share, "%", ">= 50 %", met(share, share >= 50),
                found(share, "campaign run"));
        double rate = number(report, "end to end \\(POST /campaigns/\\{id\\}/send -> status sent\\)\\s+[\\d,.]+ s\\s+([\\d,.]+) recipients/s");
        f.info("campaign end to end", rate, "recipients/s", found(rate, "load-dependent: the machine may be shared"));
        double twice = number(report, "recipients sent twice: (\\d+)");
        f.add("fault run: recipients sent twice", twice, "recipients", "0", met(twice, twice == 0), found(twice, "injected 500s, 429s and kills"));
        double never = number(report, "recipients never sent: (\\d+)");
        f.add("fault run: recipients never sent", never, "recipients", "0", met(never, never == 0), found(never, "injected 500s, 429s and kills"));
        return f;
    }

    static BenchmarkFigures pacing(String report) {
        BenchmarkFigures f = new BenchmarkFigures();
        double share = number(report, "highest sustained \\(best \\d+-s average\\)\\s+[\\d,.]+ /s = ([\\d,.]+) % of the rate");
        f.add("highest sustained send rate vs the configured one", share, "%", ">= 90 %", met(share, share >= 90),
                found(share, "best 10-second average at the provider"));
        double above = number(report, "one-second windows above the rate\\s+(\\d+) of");
        f.add("one-second windows above the rate", above, "windows", "0", met(above, above == 0), found(above, ""));
        Matcher m = Pattern.compile("recipients accepted twice (\\d+), never (\\d+)").matcher(report);
        double wrong = m.find() ? Double.parseDouble(m.group(1)) + Double.parseDouble(m.group(2)) : Double.NaN;
        f.add("recipients accepted twice or never", wrong, "recipients", "0", met(wrong, wrong == 0), found(wrong, "exactly once"));
        double calls = number(report, "TOTAL AWS calls\\s+[\\d,.]+\\s+([\\d,.]+)");
        f.info("AWS calls per 1,000 recipients (limiter on)", calls, "calls", found(calls, ""));
        return f;
    }

    /** The {@code n} function/operation lines with the most calls per 1,000 (what the call count is made of). */
    static String largestCalls(String report, int n) {
        Matcher m = Pattern.compile("dispatch-local-(\\S+) / (\\S+)\\s+[\\d,]+\\s+([\\d.]+)").matcher(report);
        java.util.List<java.util.Map.Entry<String, Double>> lines = new java.util.ArrayList<>();
        while (m.find()) {
            lines.add(java.util.Map.entry(m.group(1) + " " + m.group(2), Double.parseDouble(m.group(3))));
        }
        lines.sort(java.util.Map.Entry.<String, Double>comparingByValue().reversed());
        return String.join(", ", lines.stream().limit(n)
                .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue())).toList());
    }

    private static double number(String report, String regex) {
        Matcher m = Pattern.compile(regex).matcher(report);
        return m.find() ? Double.parseDouble(m.group(1).replace(",", "")) : Double.NaN;
    }

    private static Boolean met(double value, boolean condition) {
        return Double.isNaN(value) ? null : condition;
    }

    private static String found(double value, String note) {
        return Double.isNaN(value) ? String.format(Locale.ROOT, "not found in the text report (its format changed?)") : note;
    }
}
