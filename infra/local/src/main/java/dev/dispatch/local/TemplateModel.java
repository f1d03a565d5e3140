package dev.dispatch.local;

import dev.dispatch.emulators.CfnTemplate;
import dev.dispatch.emulators.TemplateResources;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;

/** The functions of template.yaml and the triggers they declare, read the way SAM would. */
final class TemplateModel {
    private static final Logger LOG = Logger.getLogger(TemplateModel.class.getName());
    static final String FUNCTION = "AWS::Serverless::Function";

    /** A function and its events (name to {Type, Properties}). */
    record FunctionDefinition(FunctionSpec spec, Map<String, Map<String, Object>> events) {
    }

    private final CfnTemplate template;
    private final TemplateResources resources;
    private final Path projectRoot;

    TemplateModel(CfnTemplate template, TemplateResources resources, Path projectRoot) {
        this.template = template;
        this.resources = resources;
        this.projectRoot = projectRoot;
    }

    /** Every function the local cloud can run (Java runtimes, zip packages), in template order; some timeouts overridden. */
    List<FunctionDefinition> functions(Map<String, Integer> concurrency, int defaultConcurrency,
            Map<String, Duration> timeouts) {
        List<FunctionDefinition> out = new ArrayList<>();
        for (String id : template.resourcesOfType(FUNCTION).keySet()) {
            Map<String, Object> props = template.functionProperties(id);
            String runtime = string(props.get("Runtime"), "java21");
            if (!runtime.startsWith("java")) {
                LOG.warning(id + ": Runtime " + runtime + " is not a managed Java runtime; not run locally");
                continue;
            }
            if ("Image".equals(string(props.get("PackageType"), "Zip"))) {
                LOG.warning(id + ": PackageType Image is not run locally");
                continue;
            }
            Object codeUri = props.get("CodeUri");
            if (!(resources.resolve(codeUri) instanceof String code)) {
                throw new IllegalStateException(id + ": CodeUri must be a local path, got " + codeUri);
            }
            String handler = string(props.get("Handler"), null);
            if (handler == null) {
                throw new IllegalStateException(id + ": no Handler");
            }
            int memory = integer(props.get("MemorySize"), 128);
            Duration timeout = timeouts.getOrDefault(id, Duration.ofSeconds(integer(props.get("Timeout"), 3)));
            String functionName = string(props.get("FunctionName"), id);
            Map<String, String> environment = resources.functionEnvironment(id);
            int processes = concurrency.getOrDefault(id, defaultConcurrency);
            FunctionSpec spec = new FunctionSpec(id, functionName, projectRoot.resolve(code).normalize(), handler,
                    runtime, memory, timeout, environment, processes, List.of());
            out.add(new FunctionDefinition(spec, events(props)));
        }
        return out;
    }

    private static Map<String, Map<String, Object>> events(Map<String, Object> props) {
        Map<String, Map<String, Object>> events = new LinkedHashMap<>();
        if (props.get("Events") instanceof Map<?, ?> m) {
            m.forEach((name, event) -> {
                if (event instanceof Map<?, ?> e) {
                    Map<String, Object> copy = new LinkedHashMap<>();
                    e.forEach((k, v) -> copy.put(String.valueOf(k), v));
                    events.put(String.valueOf(name), copy);
                }
            });
        }
        return events;
    }

    /** Routes of every {@code Type: HttpApi} event. */
    HttpApiRouter router(List<FunctionDefinition> functions) {
        HttpApiRouter router = new HttpApiRouter();
        for (FunctionDefinition f : functions) {
            f.events().forEach((name, event) -> {
                if (!"HttpApi".equals(event.get("Type"))) {
                    return;
                }
                Map<String, Object> p = properties(event);
                String path = string(p.get("Path"), null);
                String method = string(p.get("Method"), null);
                if (path == null && method == null) {
                    router.add("ANY", "$default", f.spec().logicalId());
                } else {
                    router.add(method == null ? "ANY" : method, path == null ? "$default" : path, f.spec().logicalId());
                }
            });
        }
        return router;
    }

    /** Event source mappings of every {@code Type: SQS} event. */
    List<SqsEventSource.Mapping> sqsMappings(List<FunctionDefinition> functions) {
        List<SqsEventSource.Mapping> out = new ArrayList<>();
        for (FunctionDefinition f : functions) {
            f.events().forEach((name, event) -> {
                if (!"SQS".equals(event.get("Type"))) {
                    return;
                }
                Map<String, Object> p = properties(event);
                String arn = string(p.get("Queue"), null);
                String queueId = arn == null ? null : resources.queueLogicalIdForArn(arn);
                if (queueId == null) {
                    throw new IllegalStateException(f.spec().logicalId() + "." + name + ": Queue " + p.get("Queue")
                            + " is not a queue of the template");
                }
                boolean report = false;
                if (resources.resolve(p.get("FunctionResponseTypes")) instanceof List<?> types) {
                    report = types.stream().anyMatch(t -> "ReportBatchItemFailures".equals(String.valueOf(t)));
                }
                Integer maximumConcurrency = null;
                if (p.get("ScalingConfig") instanceof Map<?, ?> scaling && scaling.get("MaximumConcurrency") != null) {
                    maximumConcurrency = integer(scaling.get("MaximumConcurrency"), 1000);
                }
                out.add(new SqsEventSource.Mapping(f.spec().logicalId(), name, queueId, resources.queueUrl(queueId),
                        arn, integer(p.get("BatchSize"), 10), integer(p.get("MaximumBatchingWindowInSeconds"), 0),
                        report, bool(p.get("Enabled"), true), maximumConcurrency));
            });
        }
        return out;
    }

    /** Every {@code Type: Schedule} / {@code ScheduleV2} event. */
    List<ScheduleTrigger.Definition> schedules(List<FunctionDefinition> functions, Instant created) {
        List<ScheduleTrigger.Definition> out = new ArrayList<>();
        for (FunctionDefinition f : functions) {
            f.events().forEach((name, event) -> {
                Object type = event.get("Type");
                if (!"Schedule".equals(type) && !"ScheduleV2".equals(type)) {
                    return;
                }
                Map<String, Object> p = properties(event);
                boolean v2 = "ScheduleV2".equals(type);
                String text = string(p.get(v2 ? "ScheduleExpression" : "Schedule"), null);
                if (text == null) {
                    throw new IllegalStateException(f.spec().logicalId() + "." + name + ": no schedule expression");
                }
                ZoneId zone = ZoneOffset.UTC;
                String tz = string(p.get("ScheduleExpressionTimezone"), null);
                if (v2 && tz != null) {
                    zone = ZoneId.of(tz);
                }
                boolean enabled = bool(p.get("Enabled"), true)
                        && !"DISABLED".equalsIgnoreCase(string(p.get("State"), "ENABLED"));
                String ruleName = string(p.get("Name"), TemplateResources.STACK_NAME + "-" + f.spec().logicalId() + name);
                String arn = v2
                        ? "arn:aws:scheduler:" + TemplateResources.REGION + ":" + TemplateResources.ACCOUNT_ID
                                + ":schedule/default/" + ruleName
                        : "arn:aws:events:" + TemplateResources.REGION + ":" + TemplateResources.ACCOUNT_ID + ":rule/"
                                + ruleName;
                out.add(new ScheduleTrigger.Definition(f.spec().logicalId(), name, text,
                        ScheduleExpression.parse(text, zone, created), enabled, string(p.get("Input"), null), arn));
            });
        }
        return out;
    }

    private static Map<String, Object> properties(Map<String, Object> event) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (event.get("Properties") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), v));
        }
        return out;
    }

    private String string(Object cfnValue, String fallback) {
        if (cfnValue == null) {
            return fallback;
        }
        Object v = resources.resolve(cfnValue);
        return v == null ? fallback : String.valueOf(v);
    }

    private int integer(Object cfnValue, int fallback) {
        String s = string(cfnValue, null);
        return s == null ? fallback : Integer.parseInt(s.trim());
    }

    private boolean bool(Object cfnValue, boolean fallback) {
        String s = string(cfnValue, null);
        return s == null ? fallback : Boolean.parseBoolean(s.trim().toLowerCase(Locale.ROOT));
    }
}
