package dev.dispatch.adapter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.domain.metrics.Measurements;
import dev.dispatch.domain.metrics.MetricNames;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class EmfMetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-12-02T05:30:00Z");
    private final List<String> lines = new ArrayList<>();
    private final EmfMetrics emf = new EmfMetrics("Dispatch/test", lines::add, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void givenCountsOfTwoProvidersAndALatency_thenOneValidDocumentPerProviderAndOneWithoutDimension() throws Exception {
        emf.publish(new Measurements().property("campaignId", "cmp_1").property("batch", 7)
                .count(MetricNames.SENT, "ses", 3).count(MetricNames.SENT, "ses", 2).count(MetricNames.FAILED, "ses", 1)
                .count(MetricNames.SENT, "postmark", 4).count(MetricNames.DEFERRED, "postmark", 6)
                .duration(MetricNames.BATCH_LATENCY, Duration.ofMillis(1234)));

        assertEquals(3, lines.size(), lines.toString());
        lines.forEach(line -> assertEquals(List.of(), EmfDocuments.problems(line), line));
        Map<String, JsonNode> byProvider = new TreeMap<>();
        JsonNode plain = null;
        for (String line : lines) {
            JsonNode doc = JSON.readTree(line);
            assertEquals(NOW.toEpochMilli(), doc.get("_aws").get("Timestamp").asLong());
            JsonNode directive = doc.get("_aws").get("CloudWatchMetrics").get(0);
            assertEquals("Dispatch/test", directive.get("Namespace").asText());
            assertEquals("cmp_1", doc.get("campaignId").asText());
            assertEquals("7", doc.get("batch").asText());
            if (doc.has(MetricNames.PROVIDER)) {
                byProvider.put(doc.get(MetricNames.PROVIDER).asText(), doc);
                // per provider, and again without the dimension: the sum over providers
                assertEquals("[[\"Provider\"],[]]", directive.get("Dimensions").toString());
            } else {
                plain = doc;
                assertEquals("[[]]", directive.get("Dimensions").toString());
            }
        }
        assertEquals(5, byProvider.get("ses").get(MetricNames.SENT).asLong(), "counts are summed, one number per provider");
        assertEquals(1, byProvider.get("ses").get(MetricNames.FAILED).asLong());
        assertFalse(byProvider.get("ses").has(MetricNames.DEFERRED));
        assertEquals(4, byProvider.get("postmark").get(MetricNames.SENT).asLong());
        assertEquals(6, byProvider.get("postmark").get(MetricNames.DEFERRED).asLong());
        assertEquals(1234, plain.get(MetricNames.BATCH_LATENCY).asLong());
        assertEquals("Milliseconds", plain.get("_aws").get("CloudWatchMetrics").get(0).get("Metrics").get(0).get("Unit").asText());
        assertEquals("Count", byProvider.get("ses").get("_aws").get("CloudWatchMetrics").get(0).get("Metrics").get(0).get("Unit").asText());
    }

    @Test
    void givenMoreThanAHundredMetrics_thenTheyAreSplitOverDocumentsOfAtMostAHundred() {
        Measurements many = new Measurements();
        for (int i = 0; i < 250; i++) {
            many.total("M" + i, i);
        }
        List<String> documents = emf.documents(many);
        assertEquals(3, documents.size());
        int total = 0;
        for (String d : documents) {
            assertEquals(List.of(), EmfDocuments.problems(d));
            total += count(d);
        }
        assertEquals(250, total, "every metric once");
    }

    @Test
    void givenNothingMeasured_thenNoDocument() {
        emf.publish(new Measurements().property("campaignId", "cmp_1"));
        assertEquals(List.of(), lines);
    }

    @Test
    void givenAPropertyNamedLikeAMetric_thenTheDocumentIsRefused_butPublishingNeverThrows() {
        Measurements clash = new Measurements().property(MetricNames.SENT, "x").count(MetricNames.SENT, "ses", 1);
        assertThrows(IllegalArgumentException.class, () -> emf.documents(clash));
        emf.publish(clash); // the work it measured goes on
        assertEquals(List.of(), lines);
    }

    @Test
    void givenAProviderNameCloudWatchRefusesAsADimensionValue_thenOnlyItsCountsAreLeftOut() {
        emf.publish(new Measurements().count(MetricNames.SENT, "bad\nname", 1).count(MetricNames.SENT, "ses", 2));
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("\"Provider\":\"ses\""), lines.get(0));
    }

    @Test
    void givenBadMeasurements_thenTheyAreRefusedWhereTheyAreMade() {
        assertThrows(IllegalArgumentException.class, () -> new Measurements().count(MetricNames.BATCH_LATENCY, "ses", 1));
        assertThrows(IllegalArgumentException.class, () -> new Measurements().count(MetricNames.SENT, "ses", -1));
        assertEquals(0L, new Measurements().duration(MetricNames.QUEUE_LAG, Duration.ofMillis(-5)).milliseconds()
                .get(MetricNames.QUEUE_LAG), "a clock running behind never gives a negative lag");
    }

    @Test
    void theValidatorFindsWhatTheSpecificationForbids() {
        // The checker must be able to fail: each broken document names its problem.
        assertFalse(EmfDocuments.problems("{\"Sent\":1}").isEmpty());
        assertFalse(EmfDocuments.problems("{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\","
                + "\"Dimensions\":[[\"Provider\"]],\"Metrics\":[{\"Name\":\"Sent\",\"Unit\":\"Count\"}]}]},\"Sent\":1}").isEmpty());
        assertFalse(EmfDocuments.problems("{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\","
                + "\"Dimensions\":[[]],\"Metrics\":[{\"Name\":\"Sent\",\"Unit\":\"Count\"}]}]},\"Sent\":\"1\"}").isEmpty());
        assertFalse(EmfDocuments.problems("{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\","
                + "\"Dimensions\":[[]],\"Metrics\":[{\"Name\":\"Sent\",\"Unit\":\"Things\"}]}]},\"Sent\":1}").isEmpty());
        assertEquals(List.of(), EmfDocuments.problems("{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"N\","
                + "\"Dimensions\":[[\"Provider\"]],\"Metrics\":[{\"Name\":\"Sent\",\"Unit\":\"Count\"}]}]},\"Sent\":1,\"Provider\":\"ses\"}"));
    }

    private static int count(String document) {
        try {
            return JSON.readTree(document).get("_aws").get("CloudWatchMetrics").get(0).get("Metrics").size();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
