package dev.dispatch.domain.warming;

import dev.dispatch.domain.config.ConfigException;
import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.config.ProviderSettings;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The warming schedules and plans of {@code warming.yaml}, validated as a whole (and against the providers). */
public final class WarmingConfig {
    public static final String FILE = "warming.yaml";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final Map<String, WarmingSchedule> schedules;
    private final Map<String, WarmingPlan> plans;

    private WarmingConfig(Map<String, WarmingSchedule> schedules, Map<String, WarmingPlan> plans) {
        this.schedules = schedules;
        this.plans = plans;
    }

    /** Validates the plans against each other and {@code providers}; the first problem is thrown, naming the field. */
    public static WarmingConfig of(Collection<WarmingSchedule> schedules, Collection<WarmingPlan> plans,
            ProviderCatalog providers) {
        Map<String, WarmingSchedule> bySchedule = new LinkedHashMap<>();
        for (WarmingSchedule s : schedules) {
            String field = "schedules." + s.name();
            if (!NAME.matcher(s.name()).matches()) {
                throw new ConfigException(FILE, field, "names are lower-case letters, digits and dashes");
            }
            if (s.volumes().isEmpty()) {
                throw new ConfigException(FILE, field, "needs at least one day");
            }
            for (int i = 0; i < s.volumes().size(); i++) {
                if (s.volumes().get(i) == null || s.volumes().get(i) < 1) {
                    throw new ConfigException(FILE, field + "[" + i + "]", "must be at least 1, got " + s.volumes().get(i));
                }
            }
            bySchedule.put(s.name(), s);
        }
        Map<String, WarmingPlan> byPlan = new LinkedHashMap<>();
        Map<String, String> poolOwner = new LinkedHashMap<>();
        for (WarmingPlan p : plans) {
            String field = "plans." + p.name();
            if (!NAME.matcher(p.name()).matches()) {
                throw new ConfigException(FILE, field, "names are lower-case letters, digits and dashes (they appear in URLs)");
            }
            ProviderSettings provider = providers.get(p.provider()).orElseThrow(() -> new ConfigException(FILE,
                    field + ".provider", "'" + p.provider() + "' is not a provider of " + ProviderCatalog.FILE));
            if (!provider.ipPools().contains(p.ipPool())) {
                throw new ConfigException(FILE, field + ".ipPool", "'" + p.ipPool() + "' is not one of " + p.provider()
                        + "'s ipPools in " + ProviderCatalog.FILE + " " + provider.ipPools());
            }
            String other = poolOwner.put(p.provider() + "/" + p.ipPool(), p.name());
            if (other != null) {
                throw new ConfigException(FILE, field + ".ipPool", "already warmed by plan " + other);
            }
            WarmingThresholds t = p.thresholds();
            rate(field + ".thresholds.pauseBounceRate", t.pauseBounceRate());
            rate(field + ".thresholds.pauseComplaintRate", t.pauseComplaintRate());
            rate(field + ".thresholds.warningBounceRate", t.warningBounceRate());
            rate(field + ".thresholds.warningComplaintRate", t.warningComplaintRate());
            if (t.warningBounceRate() > t.pauseBounceRate()) {
                throw new ConfigException(FILE, field + ".thresholds.warningBounceRate", "must not be above pauseBounceRate");
            }
            if (t.warningComplaintRate() > t.pauseComplaintRate()) {
                throw new ConfigException(FILE, field + ".thresholds.warningComplaintRate",
                        "must not be above pauseComplaintRate");
            }
            if (t.minimumSample() < 1) {
                throw new ConfigException(FILE, field + ".thresholds.minimumSample", "must be at least 1");
            }
            if (p.windowDays() < 1 || p.windowDays() > 30) {
                throw new ConfigException(FILE, field + ".windowDays", "must be between 1 and 30, got " + p.windowDays());
            }
            byPlan.put(p.name(), p);
        }
        return new WarmingConfig(Map.copyOf(bySchedule), java.util.Collections.unmodifiableMap(byPlan));
    }

    private static void rate(String field, double value) {
        if (!(value > 0 && value <= 1)) {
            throw new ConfigException(FILE, field, "must be a share above 0 and at most 1 (0.05 = 5 %), got " + value);
        }
    }

    public Optional<WarmingSchedule> schedule(String name) {
        return Optional.ofNullable(schedules.get(name));
    }

    public Optional<WarmingPlan> plan(String name) {
        return Optional.ofNullable(plans.get(name));
    }

    /** Every plan, enabled or not, in file order. */
    public List<WarmingPlan> plans() {
        return List.copyOf(plans.values());
    }

    public List<WarmingPlan> enabledPlans() {
        return plans.values().stream().filter(WarmingPlan::enabled).toList();
    }
}
