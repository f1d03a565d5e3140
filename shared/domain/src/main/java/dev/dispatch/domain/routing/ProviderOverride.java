package dev.dispatch.domain.routing;

import java.time.Instant;

/**
 * An operator's run-time change to a provider's configuration (through the API), and who made it when. A null field
 * leaves the configured value as it is; a change with neither field ({@link #clear}) takes the provider back to its
 * configured values.
 *
 * @param by the API key's id ({@code key-} and the first 12 hex digits of its SHA-256), never the key
 */
public record ProviderOverride(String provider, Boolean enabled, Integer weight, Instant at, String by) {
    public static final int MAX_WEIGHT = 1000;

    /** The change that removes every override of the provider. */
    public static ProviderOverride clear(String provider, Instant at, String by) {
        return new ProviderOverride(provider, null, null, at, by);
    }

    /** True for {@link #clear}: this override (or change) leaves every configured value in effect. */
    public boolean clears() {
        return enabled == null && weight == null;
    }

    /** This override with the fields {@code change} sets replaced; a clearing change replaces all of them. */
    public ProviderOverride merge(ProviderOverride change) {
        if (change.clears()) {
            return change;
        }
        return new ProviderOverride(provider, change.enabled != null ? change.enabled : enabled,
                change.weight != null ? change.weight : weight, change.at, change.by);
    }
}
