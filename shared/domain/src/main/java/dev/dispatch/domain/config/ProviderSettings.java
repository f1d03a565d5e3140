package dev.dispatch.domain.config;

import java.util.List;

/**
 * One provider's sending limits as configured in {@code providers.yaml}.
 *
 * @param name the provider's name as the send path knows it ({@code ses}, {@code sendgrid}, {@code postmark})
 * @param ratePerSecond messages a second across every running sender
 * @param dailyQuota messages per UTC day
 * @param batchSize messages per provider API call
 * @param enabled whether selection may give it traffic
 * @param ipPools the IP pools (or dedicated IPs) it sends from
 */
public record ProviderSettings(String name, int ratePerSecond, long dailyQuota, int batchSize, boolean enabled,
        List<String> ipPools) {
    /** The most messages each provider's API takes in one call. */
    public static int maxBatchSize(String provider) {
        return switch (provider) {
            case "ses" -> 50;
            case "sendgrid" -> 1000;
            case "postmark" -> 500;
            default -> throw new IllegalArgumentException("unknown provider " + provider);
        };
    }

    public ProviderSettings {
        ipPools = List.copyOf(ipPools);
    }
}
