package dev.dispatch.adapter.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks a log line against CloudWatch's Embedded Metric Format specification, rule by rule, and returns what is
 * wrong (empty = a valid document). Written from the specification, not from {@link EmfMetrics}, so that the two
 * can disagree.
 */
final class EmfDocuments {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The units CloudWatch accepts (StandardUnit). */
    static final Set<String> UNITS = Set.of("Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes",
            "Megabytes", "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent",
            "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
            "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second",
            "None");

    private EmfDocuments() {}

    static List<String> problems(String line) {
        List<String> p = new ArrayList<>();
        if (line.contains("\n") || line.contains("\r")) {
            p.add("a document must be one line (one log event)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(line);
        } catch (IOException e) {
            p.add("not JSON: " + e.getMessage());
            return p;
        }
        if (root == null || !root.isObject()) {
            p.add("the root must be a JSON object");
            return p;
        }
        JsonNode aws = root.get("_aws");
        if (aws == null || !aws.isObject()) {
            p.add("no _aws object");
            return p;
        }
        if (!aws.path("Timestamp").isIntegralNumber() || aws.get("Timestamp").asLong() <= 0) {
            p.add("_aws.Timestamp must be a number of milliseconds since the epoch");
        }
        JsonNode directives = aws.get("CloudWatchMetrics");
        if (directives == null || !directives.isArray() || directives.isEmpty()) {
            p.add("_aws.CloudWatchMetrics must be a non-empty array of directives");
            return p;
        }
        for (JsonNode directive : directives) {
            String ns = directive.path("Namespace").asText("");
            if (!directive.path("Namespace").isTextual() || ns.isBlank() || ns.length() > 1024) {
                p.add("directive without a Namespace");
            }
            JsonNode dimensions = directive.get("Dimensions");
            if (dimensions == null || !dimensions.isArray()) {
                p.add("directive without a Dimensions array");
            } else {
                for (JsonNode set : dimensions) {
                    if (!set.isArray() || set.size() > 30) {
                        p.add("a dimension set must be an array of at most 30 names: " + set);
                        continue;
                    }
                    for (JsonNode name : set) {
                        JsonNode value = root.get(name.asText());
                        if (value == null || !value.isTextual()) {
                            p.add("dimension " + name + " is not a string member of the root");
                        } else if (value.asText().isEmpty() || value.asText().length() > 1024
                                || !value.asText().chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
                            p.add("dimension " + name + " has a value CloudWatch refuses");
                        }
                    }
                }
            }
            JsonNode metrics = directive.get("Metrics");
            if (metrics == null || !metrics.isArray() || metrics.isEmpty() || metrics.size() > 100) {
                p.add("a directive needs 1 to 100 metric definitions, has " + (metrics == null ? 0 : metrics.size()));
                continue;
            }
            for (JsonNode metric : metrics) {
                String name = metric.path("Name").asText("");
                JsonNode value = root.get(name);
                boolean numeric = value != null && (value.isNumber()
                        || (value.isArray() && value.size() <= 100 && !value.isEmpty()
                        && java.util.stream.StreamSupport.stream(value.spliterator(), false).allMatch(JsonNode::isNumber)));
                if (name.isEmpty() || !numeric) {
                    p.add("metric " + name + " has no numeric member in the root");
                }
                if (metric.has("Unit") && !UNITS.contains(metric.get("Unit").asText())) {
                    p.add("metric " + name + " has unit " + metric.get("Unit") + ", which CloudWatch does not know");
                }
            }
        }
        return p;
    }
}
