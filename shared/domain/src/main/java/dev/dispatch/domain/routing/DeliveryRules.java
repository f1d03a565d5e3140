package dev.dispatch.domain.routing;

import dev.dispatch.domain.config.ConfigException;
import dev.dispatch.domain.config.ProviderCatalog;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code delivery-rules.yaml}: how a recipient's provider is chosen (domain rules, engagement tiers, weights) and when a
 * provider's circuit breaker opens. A value that exists has been validated: every problem is a {@link ConfigException}
 * naming the file and the field.
 */
public record DeliveryRules(List<DomainRule> rules, List<Tier> tiers, Map<String, Integer> weights, Breaker breaker) {
    public static final String FILE = "delivery-rules.yaml";
    /** A tier's {@code providers} value that means "the healthy provider with the best reputation". */
    public static final String BEST_REPUTATION = "best-reputation";

    /** Recipient domains (lower case) whose mail goes to {@code providers}, in preference order. */
    public record DomainRule(List<String> domains, List<String> providers) {
        public DomainRule {
            domains = domains.stream().map(d -> d == null ? "" : d.toLowerCase(Locale.ROOT)).toList();
            providers = List.copyOf(providers);
        }
    }

    /**
     * Recipients with an engagement score of at least {@code minEngagementScore}: to {@code providers} in order, or,
     * when {@code bestReputation}, to the healthy provider with the highest reputation.
     */
    public record Tier(String name, double minEngagementScore, boolean bestReputation, List<String> providers) {
        public Tier {
            providers = List.copyOf(providers);
        }
    }

    /**
     * @param window the rolling window errors are counted over
     * @param minimumCalls calls in the window before the failure share counts at all
     * @param failurePercent the failure share (of calls in the window) that opens the breaker
     * @param openFor how long an open breaker keeps all new traffic away before a probe
     */
    public record Breaker(Duration window, int minimumCalls, int failurePercent, Duration openFor) {
        public static final Breaker DEFAULT = new Breaker(Duration.ofSeconds(60), 3, 50, Duration.ofSeconds(30));
    }

    public DeliveryRules {
        rules = List.copyOf(rules);
        tiers = List.copyOf(tiers);
        weights = Map.copyOf(weights);
        validate(rules, tiers, weights, breaker);
    }

    /** No rules or tiers, equal weights, the default breaker: every provider by weight. */
    public static DeliveryRules plain() {
        Map<String, Integer> weights = new LinkedHashMap<>();
        ProviderCatalog.KNOWN.forEach(p -> weights.put(p, 1));
        return new DeliveryRules(List.of(), List.of(), weights, Breaker.DEFAULT);
    }

    /** The configured weight of {@code provider} (0 when not listed). */
    public int weight(String provider) {
        return weights.getOrDefault(provider, 0);
    }

    /** The first rule naming the recipient's domain. */
    public Optional<DomainRule> ruleFor(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        return rules.stream().filter(r -> r.domains().contains(d)).findFirst();
    }

    /** The first tier the engagement score reaches. */
    public Optional<Tier> tierFor(double engagementScore) {
        return tiers.stream().filter(t -> engagementScore >= t.minEngagementScore()).findFirst();
    }

    private static void validate(List<DomainRule> rules, List<Tier> tiers, Map<String, Integer> weights, Breaker breaker) {
        Set<String> seenDomains = new HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            String field = "rules[" + i + "]";
            DomainRule rule = rules.get(i);
            if (rule.domains().isEmpty()) {
                throw new ConfigException(FILE, field + ".domains", "at least one domain is required");
            }
            for (String domain : rule.domains()) {
                if (domain.isBlank() || domain.contains("@") || !domain.contains(".")) {
                    throw new ConfigException(FILE, field + ".domains", "'" + domain + "' is not a domain such as gmail.com");
                }
                if (!seenDomains.add(domain)) {
                    throw new ConfigException(FILE, field + ".domains", "'" + domain + "' is already in an earlier rule");
                }
            }
            providers(field + ".providers", rule.providers());
        }
        Set<String> tierNames = new HashSet<>();
        for (int i = 0; i < tiers.size(); i++) {
            String field = "tiers[" + i + "]";
            Tier tier = tiers.get(i);
            if (tier.name() == null || !tier.name().matches("[a-z][a-z0-9-]{0,30}")) {
                throw new ConfigException(FILE, field + ".name", "a short lower-case name is required (letters, digits, '-')");
            }
            if (!tierNames.add(tier.name())) {
                throw new ConfigException(FILE, field + ".name", "'" + tier.name() + "' is used twice");
            }
            if (tier.minEngagementScore() < 0 || Double.isNaN(tier.minEngagementScore())) {
                throw new ConfigException(FILE, field + ".minEngagementScore", "must be 0 or more, got " + tier.minEngagementScore());
            }
            if (!tier.bestReputation()) {
                providers(field + ".providers", tier.providers());
            }
        }
        if (weights.isEmpty()) {
            throw new ConfigException(FILE, "weights", "a weight per provider is required");
        }
        weights.forEach((provider, weight) -> {
            known("weights." + provider, provider);
            if (weight == null || weight < 0) {
                throw new ConfigException(FILE, "weights." + provider, "must be 0 or more, got " + weight);
            }
        });
        if (weights.values().stream().mapToInt(Integer::intValue).sum() == 0) {
            throw new ConfigException(FILE, "weights", "at least one weight must be above 0");
        }
        if (breaker.window().toSeconds() < 1) {
            throw new ConfigException(FILE, "breaker.windowSeconds", "must be at least 1");
        }
        if (breaker.minimumCalls() < 1) {
            throw new ConfigException(FILE, "breaker.minimumCalls", "must be at least 1, got " + breaker.minimumCalls());
        }
        if (breaker.failurePercent() < 1 || breaker.failurePercent() > 100) {
            throw new ConfigException(FILE, "breaker.failurePercent", "must be between 1 and 100, got " + breaker.failurePercent());
        }
        if (breaker.openFor().toSeconds() < 1) {
            throw new ConfigException(FILE, "breaker.openSeconds", "must be at least 1");
        }
    }

    private static void providers(String field, List<String> providers) {
        if (providers.isEmpty()) {
            throw new ConfigException(FILE, field, "at least one provider is required");
        }
        Set<String> seen = new HashSet<>();
        for (String p : providers) {
            known(field, p);
            if (!seen.add(p)) {
                throw new ConfigException(FILE, field, "'" + p + "' is listed twice");
            }
        }
    }

    private static void known(String field, String provider) {
        if (provider == null || !ProviderCatalog.KNOWN.contains(provider)) {
            throw new ConfigException(FILE, field, "'" + provider + "' is not a provider; expected one of "
                    + String.join(", ", ProviderCatalog.KNOWN.stream().sorted().toList()));
        }
    }
}
