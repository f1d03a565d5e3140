package dev.dispatch.adapter.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatch.domain.metrics.Measurements;
import dev.dispatch.domain.metrics.MetricNames;
import dev.dispatch.domain.metrics.Metrics;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Publishes measurements as CloudWatch Embedded Metric Format documents: one JSON object per line on standard output,
 * which Lambda sends to the function's log group, where CloudWatch Logs turns each document into metric values (no
 * CloudWatch API call, no extra permission, nothing lost on a cold start's timeout).
 *
 * <p>A document carries one value per dimension, so a unit of work becomes one document per provider (its counts,
 * published with the dimension set {@code [Provider]} and again with the empty set, which sums over providers) and
 * one for its dimensionless values (latencies, totals). Each document's directive lists at most
 * {@value #MAX_METRICS} metrics (the format's limit); more are split over further documents. The plain properties
 * (campaign id, batch number) are written into every document as context for Logs Insights; they are not metrics.
 */
public final class EmfMetrics implements Metrics {
    private static final System.Logger LOG = System.getLogger(EmfMetrics.class.getName());
    /** The format's limit of metric definitions in one directive. */
    static final int MAX_METRICS = 100;
    /** Dimension values: ASCII without control characters, 1 to 1024 characters (CloudWatch's rule). */
    private static final Pattern DIMENSION_VALUE = Pattern.compile("[\\x20-\\x7E]{1,1024}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String namespace;
    private final Consumer<String> out;
    private final Clock clock;

    /**
     * @param namespace the CloudWatch namespace of every metric
     * @param out receives each document, one line of JSON
     */
    public EmfMetrics(String namespace, Consumer<String> out, Clock clock) {
        if (namespace == null || namespace.isBlank()) {
            throw new IllegalArgumentException("a metrics namespace is required");
        }
        this.namespace = namespace;
        this.out = Objects.requireNonNull(out, "out");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Writes to standard output, where Lambda's log capture picks every line up. */
    public static EmfMetrics toStandardOutput(String namespace) {
        PrintStream stdout = System.out;
        return new EmfMetrics(namespace, stdout::println, Clock.systemUTC());
    }

    @Override
    public void publish(Measurements measurements) {
        try {
            documents(measurements).forEach(out);
        } catch (RuntimeException e) {
            // Metrics are for watching the work, never a reason to fail or retry it.
            LOG.log(System.Logger.Level.WARNING, "metrics not published: " + e);
        }
    }

    /** The documents for one unit of work (none when it measured nothing). */
    public List<String> documents(Measurements measurements) {
        List<String> documents = new ArrayList<>();
        long timestamp = clock.millis();
        measurements.countsByProvider().forEach((provider, counts) -> {
            if (!DIMENSION_VALUE.matcher(provider).matches()) {
                LOG.log(System.Logger.Level.WARNING, "metrics of a provider whose name is not a CloudWatch dimension "
                        + "value left out (" + provider.length() + " chars)");
                return;
            }
            for (Map<String, Long> part : split(counts)) {
                ObjectNode document = document(timestamp, measurements, part.keySet(), true);
                document.put(MetricNames.PROVIDER, provider);
                part.forEach(document::put);
                documents.add(write(document));
            }
        });
        Map<String, Long> plain = new LinkedHashMap<>(measurements.totals());
        plain.putAll(measurements.milliseconds());
        for (Map<String, Long> part : split(plain)) {
            ObjectNode document = document(timestamp, measurements, part.keySet(), false);
            part.forEach(document::put);
            documents.add(write(document));
        }
        return documents;
    }

    private ObjectNode document(long timestamp, Measurements measurements, Iterable<String> metrics, boolean byProvider) {
        ObjectNode document = JSON.createObjectNode();
        ObjectNode aws = document.putObject("_aws");
        aws.put("Timestamp", timestamp);
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", namespace);
        ArrayNode dimensions = directive.putArray("Dimensions");
        if (byProvider) {
            dimensions.addArray().add(MetricNames.PROVIDER);
        }
        dimensions.addArray(); // the metric without dimensions: the sum over providers, or the only one
        ArrayNode definitions = directive.putArray("Metrics");
        for (String metric : metrics) {
            definitions.addObject().put("Name", metric).put("Unit", unit(metric, measurements));
        }
        measurements.properties().forEach((name, value) -> {
            if (name.equals("_aws") || name.equals(MetricNames.PROVIDER) || MetricNames.ALL.contains(name)) {
                throw new IllegalArgumentException("property " + name + " would hide a metric or dimension");
            }
            document.put(name, value);
        });
        return document;
    }

    private static String unit(String metric, Measurements measurements) {
        return measurements.milliseconds().containsKey(metric) && !measurements.totals().containsKey(metric)
                ? "Milliseconds" : "Count";
    }

    /** The metrics in parts of at most {@link #MAX_METRICS}. */
    private static List<Map<String, Long>> split(Map<String, Long> metrics) {
        List<Map<String, Long>> parts = new ArrayList<>();
        Map<String, Long> part = new LinkedHashMap<>();
        for (Map.Entry<String, Long> metric : metrics.entrySet()) {
            if (part.size() == MAX_METRICS) {
                parts.add(part);
                part = new LinkedHashMap<>();
            }
            part.put(metric.getKey(), metric.getValue());
        }
        if (!part.isEmpty()) {
            parts.add(part);
        }
        return parts;
    }

    private static String write(ObjectNode document) {
        try {
            return JSON.writeValueAsString(document); // compact: one line, one log event
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
