package dev.dispatch.adapter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.adapter.provider.PostmarkProvider;
import dev.dispatch.adapter.provider.SendGridProvider;
import dev.dispatch.adapter.provider.SesProvider;
import dev.dispatch.domain.metrics.MetricNames;
import dev.dispatch.emulators.CfnTemplate;
import dev.dispatch.emulators.ProjectLayout;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * template.yaml's dashboard and alarms against the code: every metric they name in the functions' namespace is one the
 * code emits ({@link MetricNames}), the dashboard shows every one of them, and each sending provider has its bounce
 * and complaint rate alarms. A renamed metric fails here instead of leaving an empty graph or an alarm that never
 * fires.
 */
class MonitoringTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CfnTemplate TEMPLATE = CfnTemplate.load(ProjectLayout.root().resolve("template.yaml"));
    /** How the template writes the namespace: one per stack. */
    private static final String NAMESPACE = MetricNames.DEFAULT_NAMESPACE + "/${AWS::StackName}";
    private static final Set<String> SENDING_PROVIDERS = Set.of(SesProvider.NAME, SendGridProvider.NAME, PostmarkProvider.NAME);
    private static final Pattern SEARCH = Pattern.compile("SEARCH\\('\\{(.+?),Provider} MetricName=\"([^\"]+)\"");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @Test
    void theFunctionsWriteTheirMetricsToTheNamespaceTheDashboardAndAlarmsRead() {
        Object namespace = map(map(TEMPLATE.globalsFunction().get("Environment"))
                .get("Variables")).get("METRICS_NAMESPACE");
        assertEquals(Map.of("Fn::Sub", NAMESPACE), namespace);
    }

    @Test
    void theDashboardShowsEveryMetricTheCodeEmitsAndNoOther() throws Exception {
        Set<String> shown = new TreeSet<>();
        for (Map<String, Object> dashboard : TEMPLATE.resourcesOfType("AWS::CloudWatch::Dashboard").values()) {
            Object body = map(map(dashboard.get("Properties")).get("DashboardBody")).get("Fn::Sub");
            for (JsonNode widget : JSON.readTree((String) body).get("widgets")) {
                for (JsonNode metric : widget.path("properties").path("metrics")) {
                    if (metric.get(0).isTextual() && metric.get(0).asText().equals(NAMESPACE)) {
                        shown.add(metric.get(1).asText());
                    }
                    Matcher search = SEARCH.matcher(metric.get(0).path("expression").asText(""));
                    while (search.find()) {
                        assertEquals(NAMESPACE, search.group(1), search.group());
                        shown.add(search.group(2));
                    }
                }
            }
        }
        assertEquals(new TreeSet<>(MetricNames.ALL), shown);
    }

    @Test
    void eachSendingProviderHasABounceAndAComplaintRateAlarmOnEmittedMetrics() {
        Map<String, Set<String>> ratesByProvider = new TreeMap<>();
        TEMPLATE.resourcesOfType("AWS::CloudWatch::Alarm").forEach((id, alarm) -> {
            Object queries = map(alarm.get("Properties")).get("Metrics");
            if (!(queries instanceof List<?> list)) {
                return;
            }
            Set<String> names = new TreeSet<>();
            Set<String> providers = new TreeSet<>();
            for (Object query : list) {
                Map<String, Object> stat = map(map(query).get("MetricStat"));
                if (stat.isEmpty()) {
                    continue;
                }
                Map<String, Object> metric = map(stat.get("Metric"));
                assertEquals(Map.of("Fn::Sub", NAMESPACE), metric.get("Namespace"), id);
                String name = (String) metric.get("MetricName");
                assertTrue(MetricNames.ALL.contains(name), id + " reads " + name + ", which the code does not emit");
                names.add(name);
                for (Object d : (List<?>) metric.get("Dimensions")) {
                    assertEquals(MetricNames.PROVIDER, map(d).get("Name"), id);
                    providers.add((String) map(d).get("Value"));
                }
            }
            assertEquals(1, providers.size(), id + " compares one provider's numbers: " + providers);
            assertTrue(names.contains(MetricNames.SENT), id + " is a rate per message sent");
            names.remove(MetricNames.SENT);
            ratesByProvider.computeIfAbsent(providers.iterator().next(), p -> new TreeSet<>()).addAll(names);
        });
        assertEquals(SENDING_PROVIDERS, ratesByProvider.keySet());
        ratesByProvider.forEach((provider, rates) ->
                assertEquals(Set.of(MetricNames.BOUNCED, MetricNames.COMPLAINED), rates, provider));
        assertFalse(ratesByProvider.isEmpty());
    }
}
