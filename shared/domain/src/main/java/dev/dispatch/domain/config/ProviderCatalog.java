package dev.dispatch.domain.config;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Every configured provider's settings, validated as a whole: a catalog that exists is one the send path can use. */
public final class ProviderCatalog {
    public static final String FILE = "providers.yaml";
    public static final Set<String> KNOWN = Set.of("ses", "sendgrid", "postmark");

    private final Map<String, ProviderSettings> providers;

    private ProviderCatalog(Map<String, ProviderSettings> providers) {
        this.providers = providers;
    }

    /** Validates {@code settings}; the first problem found is thrown, naming the field. */
    public static ProviderCatalog of(Collection<ProviderSettings> settings) {
        if (settings.isEmpty()) {
            throw new ConfigException(FILE, "providers", "at least one provider is required");
        }
        Map<String, ProviderSettings> byName = new LinkedHashMap<>();
        for (ProviderSettings p : settings) {
            String field = "providers." + p.name();
            if (!KNOWN.contains(p.name())) {
                throw new ConfigException(FILE, field, "unknown provider; expected one of " + String.join(", ", KNOWN.stream().sorted().toList()));
            }
            if (p.ratePerSecond() < 1) {
                throw new ConfigException(FILE, field + ".ratePerSecond", "must be at least 1, got " + p.ratePerSecond());
            }
            if (p.dailyQuota() < 1) {
                throw new ConfigException(FILE, field + ".dailyQuota", "must be at least 1, got " + p.dailyQuota());
            }
            int max = ProviderSettings.maxBatchSize(p.name());
            if (p.batchSize() < 1 || p.batchSize() > max) {
                throw new ConfigException(FILE, field + ".batchSize", "must be between 1 and " + max + " (the provider's limit per call), got " + p.batchSize());
            }
            if (p.ipPools().stream().anyMatch(pool -> pool == null || pool.isBlank())) {
                throw new ConfigException(FILE, field + ".ipPools", "pool names must not be blank");
            }
            if (byName.put(p.name(), p) != null) {
                throw new ConfigException(FILE, field, "listed twice");
            }
        }
        return new ProviderCatalog(Map.copyOf(byName));
    }

    public Optional<ProviderSettings> get(String provider) {
        return Optional.ofNullable(providers.get(provider));
    }

    public ProviderSettings require(String provider) {
        return get(provider).orElseThrow(() -> new ConfigException(FILE, "providers." + provider, "not configured"));
    }

    public Collection<ProviderSettings> all() {
        return providers.values();
    }
}
