package dev.dispatch.adapter.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.dispatch.domain.config.ConfigException;
import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.config.ProviderSettings;
import dev.dispatch.domain.warming.SendingHours;
import dev.dispatch.domain.warming.WarmingConfig;
import dev.dispatch.domain.warming.WarmingPlan;
import dev.dispatch.domain.warming.WarmingSchedule;
import dev.dispatch.domain.warming.WarmingThresholds;
import dev.dispatch.domain.routing.DeliveryRules;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Set;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the operator-edited files of {@code config/} (shipped on the classpath under {@code dispatch-config/}).
 * Parsing is strict about names and types - an unknown or misspelt field is an error, not silently ignored - and
 * every problem becomes a {@link ConfigException} naming the file and the field.
 */
public final class ConfigFiles {
    public static final String CLASSPATH_DIR = "dispatch-config/";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ConfigFiles() {}

    /** The shipped file's tree; a missing or unparseable file names itself. */
    public static JsonNode read(String file) {
        try (InputStream in = ConfigFiles.class.getClassLoader().getResourceAsStream(CLASSPATH_DIR + file)) {
            if (in == null) {
                throw new ConfigException(file, "(file)", "not found on the classpath under " + CLASSPATH_DIR);
            }
            return parse(file, in);
        } catch (IOException e) {
            throw new ConfigException(file, "(file)", "cannot be read: " + e.getMessage());
        }
    }

    /**
     * The file from {@code dir} when one is given (environment variable {@code DISPATCH_CONFIG_DIR}: tests and the
     * benchmark point at files with other rates), else the shipped one. A directory without the file is an error,
     * not a silent fallback to the shipped settings.
     */
    public static JsonNode read(String file, Optional<Path> dir) {
        if (dir.isEmpty()) {
            return read(file);
        }
        Path path = dir.get().resolve(file);
        try (InputStream in = Files.newInputStream(path)) {
            return parse(file, in);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, "(file)", "not found in " + dir.get() + " (DISPATCH_CONFIG_DIR)");
        } catch (IOException e) {
            throw new ConfigException(file, "(file)", "cannot be read from " + dir.get() + ": " + e.getMessage());
        }
    }

    public static JsonNode parse(String file, InputStream in) {
        try {
            JsonNode tree = YAML.readTree(in);
            if (tree == null || !tree.isObject()) {
                throw new ConfigException(file, "(file)", "must be a YAML mapping");
            }
            return tree;
        } catch (IOException e) {
            throw new ConfigException(file, "(file)", "is not valid YAML: " + firstLine(e.getMessage()));
        }
    }

    /** Binds {@code node} to {@code type}; a wrong type or unknown field names the path below {@code field}. */
    public static <T> T bind(String file, String field, JsonNode node, Class<T> type) {
        try {
            return YAML.treeToValue(node, type);
        } catch (JsonMappingException e) {
            StringBuilder path = new StringBuilder(field);
            for (JsonMappingException.Reference ref : e.getPath()) {
                path.append(ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]");
            }
            throw new ConfigException(file, path.toString(), firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException(file, field, firstLine(e.getMessage()));
        }
    }

    /** {@code providers.yaml} from the classpath. */
    public static ProviderCatalog providers() {
        return providers(read(ProviderCatalog.FILE));
    }

    /** {@code providers.yaml} from {@code dir} if given, else from the classpath. */
    public static ProviderCatalog providers(Optional<Path> dir) {
        return providers(read(ProviderCatalog.FILE, dir));
    }

    public static ProviderCatalog providers(JsonNode tree) {
        String file = ProviderCatalog.FILE;
        JsonNode providers = tree.get("providers");
        if (providers == null || !providers.isObject()) {
            throw new ConfigException(file, "providers", "a mapping of provider name to settings is required");
        }
        Iterator<String> top = tree.fieldNames();
        while (top.hasNext()) {
            String name = top.next();
            if (!name.equals("providers")) {
                throw new ConfigException(file, name, "unknown field");
            }
        }
        List<ProviderSettings> settings = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = providers.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String field = "providers." + entry.getKey();
            ProviderEntry e = bind(file, field, entry.getValue(), ProviderEntry.class);
            settings.add(new ProviderSettings(entry.getKey(), required(file, field, "ratePerSecond", e.ratePerSecond),
                    required(file, field, "dailyQuota", e.dailyQuota), required(file, field, "batchSize", e.batchSize),
                    e.enabled == null || e.enabled, e.ipPools == null ? List.of() : e.ipPools));
        }
        return ProviderCatalog.of(settings);
    }

    /** {@code warming.yaml} from the classpath, checked against {@code providers.yaml}. */
    public static WarmingConfig warming() {
        return warming(read(WarmingConfig.FILE), providers());
    }

    /**
     * {@code warming.yaml} from a file instead of the classpath: only for tests and the local stack (each function
     * reads it under its Quarkus test profile only), so a deployed function always runs the shipped file.
     */
    public static WarmingConfig warming(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return warming(parse(WarmingConfig.FILE, in), providers());
        } catch (IOException e) {
            throw new ConfigException(WarmingConfig.FILE, "(file)", "cannot be read from " + file + ": " + e.getMessage());
        }
    }

    public static WarmingConfig warming(JsonNode tree, ProviderCatalog providers) {
        String file = WarmingConfig.FILE;
        for (Iterator<String> top = tree.fieldNames(); top.hasNext(); ) {
            String name = top.next();
            if (!name.equals("schedules") && !name.equals("plans")) {
                throw new ConfigException(file, name, "unknown field; expected schedules and plans");
            }
        }
        JsonNode schedulesNode = tree.get("schedules");
        if (schedulesNode == null || !schedulesNode.isObject()) {
            throw new ConfigException(file, "schedules", "a mapping of schedule name to schedule is required");
        }
        List<WarmingSchedule> schedules = new ArrayList<>();
        Map<String, WarmingSchedule> byName = new java.util.HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = schedulesNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String field = "schedules." + entry.getKey();
            ScheduleEntry e = bind(file, field, entry.getValue(), ScheduleEntry.class);
            int given = (e.ramp != null ? 1 : 0) + (e.daily != null ? 1 : 0) + (e.hourly != null ? 1 : 0);
            if (given != 1) {
                throw new ConfigException(file, field, "needs exactly one of ramp, daily (emails per day) or hourly "
                        + "(emails per sending hour)");
            }
            WarmingSchedule schedule;
            if (e.ramp != null) {
                long from = required(file, field + ".ramp", "from", e.ramp.from);
                long to = required(file, field + ".ramp", "to", e.ramp.to);
                int days = required(file, field + ".ramp", "days", e.ramp.days);
                if (days < 2 || days > 365) {
                    throw new ConfigException(file, field + ".ramp.days", "must be between 2 and 365, got " + days);
                }
                if (from < 1 || to < from) {
                    throw new ConfigException(file, field + ".ramp", "needs 1 <= from <= to, got from " + from + ", to " + to);
                }
                schedule = WarmingSchedule.ramp(entry.getKey(), from, to, days);
            } else if (e.daily != null) {
                schedule = new WarmingSchedule(entry.getKey(), WarmingSchedule.Unit.DAY, nonNull(file, field + ".daily", e.daily));
            } else {
                schedule = new WarmingSchedule(entry.getKey(), WarmingSchedule.Unit.HOUR, nonNull(file, field + ".hourly", e.hourly));
            }
            schedules.add(schedule);
            byName.put(schedule.name(), schedule);
        }
        JsonNode plansNode = tree.get("plans");
        List<WarmingPlan> plans = new ArrayList<>();
        if (plansNode != null && !plansNode.isNull()) {
            if (!plansNode.isObject()) {
                throw new ConfigException(file, "plans", "must be a mapping of plan name to plan");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = plansNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                String field = "plans." + entry.getKey();
                PlanEntry e = bind(file, field, entry.getValue(), PlanEntry.class);
                String scheduleName = required(file, field, "schedule", e.schedule);
                WarmingSchedule schedule = byName.get(scheduleName);
                if (schedule == null) {
                    throw new ConfigException(file, field + ".schedule", "'" + scheduleName + "' is not one of schedules "
                            + byName.keySet().stream().sorted().toList());
                }
                SendingHours hours = SendingHours.ALL_DAY;
                if (e.sendingHours != null) {
                    int from = required(file, field + ".sendingHours", "fromHour", e.sendingHours.fromHour);
                    int to = required(file, field + ".sendingHours", "toHour", e.sendingHours.toHour);
                    if (from < 0 || to > 24 || from >= to) {
                        throw new ConfigException(file, field + ".sendingHours", "needs 0 <= fromHour < toHour <= 24 (UTC), got "
                                + from + ".." + to);
                    }
                    hours = new SendingHours(from, to);
                }
                WarmingThresholds d = WarmingThresholds.DEFAULT;
                ThresholdsEntry t = e.thresholds == null ? new ThresholdsEntry() : e.thresholds;
                WarmingThresholds thresholds = new WarmingThresholds(
                        t.pauseBounceRate != null ? t.pauseBounceRate : d.pauseBounceRate(),
                        t.pauseComplaintRate != null ? t.pauseComplaintRate : d.pauseComplaintRate(),
                        t.warningBounceRate != null ? t.warningBounceRate : d.warningBounceRate(),
                        t.warningComplaintRate != null ? t.warningComplaintRate : d.warningComplaintRate(),
                        t.minimumSample != null ? t.minimumSample : d.minimumSample());
                WarmingPlan.OnWarning onWarning = switch (e.onWarning == null ? "hold" : e.onWarning) {
                    case "hold" -> WarmingPlan.OnWarning.HOLD;
                    case "stepBack" -> WarmingPlan.OnWarning.STEP_BACK;
                    default -> throw new ConfigException(file, field + ".onWarning", "must be hold or stepBack, got '"
                            + e.onWarning + "'");
                };
                WarmingPlan.OverAllowance over = switch (e.overAllowance == null ? "defer" : e.overAllowance) {
                    case "defer" -> WarmingPlan.OverAllowance.DEFER;
                    case "route" -> WarmingPlan.OverAllowance.ROUTE;
                    default -> throw new ConfigException(file, field + ".overAllowance", "must be defer or route, got '"
                            + e.overAllowance + "'");
                };
                plans.add(new WarmingPlan(entry.getKey(), required(file, field, "provider", e.provider),
                        required(file, field, "ipPool", e.ipPool), schedule, e.enabled != null && e.enabled, hours,
                        thresholds, onWarning, over, e.windowDays != null ? e.windowDays : 3));
            }
        }
        return WarmingConfig.of(schedules, plans, providers);
    }

    private static List<Long> nonNull(String file, String field, List<Long> values) {
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null || values.get(i) < 1) {
                throw new ConfigException(file, field + "[" + i + "]", "must be a whole number of at least 1, got " + values.get(i));
            }
        }
        if (values.isEmpty()) {
            throw new ConfigException(file, field, "needs at least one day");
        }
        return values;
    }

    /** {@code delivery-rules.yaml} from the classpath. */
    public static DeliveryRules deliveryRules() {
        return deliveryRules(read(DeliveryRules.FILE));
    }

    public static DeliveryRules deliveryRules(JsonNode tree) {
        String file = DeliveryRules.FILE;
        onlyFields(file, "", tree, Set.of("rules", "tiers", "weights", "breaker"));
        List<DeliveryRules.DomainRule> rules = new ArrayList<>();
        JsonNode rulesNode = tree.path("rules");
        if (!rulesNode.isMissingNode() && !rulesNode.isNull()) {
            if (!rulesNode.isArray()) {
                throw new ConfigException(file, "rules", "must be a list of rules");
            }
            for (int i = 0; i < rulesNode.size(); i++) {
                String field = "rules[" + i + "]";
                RuleEntry e = bind(file, field, rulesNode.get(i), RuleEntry.class);
                rules.add(new DeliveryRules.DomainRule(required(file, field, "domains", e.domains),
                        required(file, field, "providers", e.providers)));
            }
        }
        List<DeliveryRules.Tier> tiers = new ArrayList<>();
        JsonNode tiersNode = tree.path("tiers");
        if (!tiersNode.isMissingNode() && !tiersNode.isNull()) {
            if (!tiersNode.isArray()) {
                throw new ConfigException(file, "tiers", "must be a list of tiers");
            }
            for (int i = 0; i < tiersNode.size(); i++) {
                String field = "tiers[" + i + "]";
                TierEntry e = bind(file, field, tiersNode.get(i), TierEntry.class);
                JsonNode providers = required(file, field, "providers", e.providers);
                boolean best = providers.isTextual() && providers.asText().equals(DeliveryRules.BEST_REPUTATION);
                List<String> list = new ArrayList<>();
                if (!best) {
                    if (!providers.isArray()) {
                        throw new ConfigException(file, field + ".providers",
                                "must be a list of providers or " + DeliveryRules.BEST_REPUTATION);
                    }
                    providers.forEach(p -> list.add(p.isTextual() ? p.asText() : p.toString()));
                }
                tiers.add(new DeliveryRules.Tier(e.name, required(file, field, "minEngagementScore", e.minEngagementScore),
                        best, list));
            }
        }
        JsonNode weightsNode = tree.path("weights");
        if (!weightsNode.isObject()) {
            throw new ConfigException(file, "weights", "a mapping of provider name to weight is required");
        }
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = weightsNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getValue().isInt()) {
                throw new ConfigException(file, "weights." + entry.getKey(), "must be a whole number, got " + entry.getValue());
            }
            weights.put(entry.getKey(), entry.getValue().asInt());
        }
        DeliveryRules.Breaker breaker = DeliveryRules.Breaker.DEFAULT;
        JsonNode breakerNode = tree.path("breaker");
        if (!breakerNode.isMissingNode() && !breakerNode.isNull()) {
            BreakerEntry e = bind(file, "breaker", breakerNode, BreakerEntry.class);
            breaker = new DeliveryRules.Breaker(
                    Duration.ofSeconds(e.windowSeconds == null ? breaker.window().toSeconds() : e.windowSeconds),
                    e.minimumCalls == null ? breaker.minimumCalls() : e.minimumCalls,
                    e.failurePercent == null ? breaker.failurePercent() : e.failurePercent,
                    Duration.ofSeconds(e.openSeconds == null ? breaker.openFor().toSeconds() : e.openSeconds));
        }
        return new DeliveryRules(rules, tiers, weights, breaker);
    }

    private static void onlyFields(String file, String prefix, JsonNode node, Set<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw new ConfigException(file, prefix + name, "unknown field; expected one of "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    private static <T> T required(String file, String field, String name, T value) {
        if (value == null) {
            throw new ConfigException(file, field + "." + name, "is required");
        }
        return value;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** One domain rule of {@code delivery-rules.yaml}. */
    public static final class RuleEntry {
        public List<String> domains;
        public List<String> providers;
    }

    /** One engagement tier; {@code providers} is a list or the word best-reputation. */
    public static final class TierEntry {
        public String name;
        public Double minEngagementScore;
        public JsonNode providers;
    }

    /** The circuit breaker's settings. */
    public static final class BreakerEntry {
        public Integer windowSeconds;
        public Integer minimumCalls;
        public Integer failurePercent;
        public Integer openSeconds;
    }

    /** The file's shape for one provider; public fields so Jackson binds it without reflection config surprises. */
    public static final class ProviderEntry {
        public Integer ratePerSecond;
        public Long dailyQuota;
        public Integer batchSize;
        public Boolean enabled;
        public List<String> ipPools;
    }

    /** One schedule: exactly one of the three shapes. */
    public static final class ScheduleEntry {
        public String description;
        public RampEntry ramp;
        public List<Long> daily;
        public List<Long> hourly;
    }

    public static final class RampEntry {
        public Long from;
        public Long to;
        public Integer days;
    }

    public static final class PlanEntry {
        public String description;
        public Boolean enabled;
        public String provider;
        public String ipPool;
        public String schedule;
        public HoursEntry sendingHours;
        public ThresholdsEntry thresholds;
        public String onWarning;
        public String overAllowance;
        public Integer windowDays;
    }

    public static final class HoursEntry {
        public Integer fromHour;
        public Integer toHour;
    }

    public static final class ThresholdsEntry {
        public Double pauseBounceRate;
        public Double pauseComplaintRate;
        public Double warningBounceRate;
        public Double warningComplaintRate;
        public Long minimumSample;
    }
}
