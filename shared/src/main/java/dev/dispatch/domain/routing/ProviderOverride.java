package dev.dispatch.domain.routing;

import java.time.Instant;

/**
 * An operator's run-time change to a provider's configuration (through the API), and who made it when. A null field
 * leaves the configured value as it is.
 *
 * @param by the API key's id ({@code key-} and the first 12 hex digits of its SHA-256), never the key
 */
public record ProviderOverride(String provider, Boolean enabled, Integer weight, Instant at, String by) {
    public static final int MAX_WEIGHT = 1000;

    /** This override with the fields {@code change} sets replaced. */
    public ProviderOverride merge(ProviderOverride change) {
        return new ProviderOverride(provider, change.enabled != null ? change.enabled : enabled,
                change.weight != null ? change.weight : weight, change.at, change.by);
    }
}
