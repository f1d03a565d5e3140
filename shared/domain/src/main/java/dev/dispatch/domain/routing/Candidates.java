package dev.dispatch.domain.routing;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The providers that may take new traffic for one batch, in the order to fall back on them: the campaign's pinned
 * order when {@code pinned}, else by weight (highest first). Weights and reputations are the effective ones (after
 * operator overrides). {@code domainReputations} holds, per recipient domain group, the scores of the providers that
 * sent enough there in the window ({@link Reputation#MIN_DOMAIN_SENT}); the others use their provider-wide score.
 */
public record Candidates(List<String> providers, boolean pinned, Map<String, Integer> weights, Map<String, Double> reputations,
        Map<String, Map<String, Double>> domainReputations) {
    public Candidates {
        providers = List.copyOf(providers);
        weights = Map.copyOf(weights);
        reputations = Map.copyOf(reputations);
        domainReputations = domainReputations.entrySet().stream()
                .collect(java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> Map.copyOf(e.getValue())));
    }

    public Candidates(List<String> providers, boolean pinned, Map<String, Integer> weights, Map<String, Double> reputations) {
        this(providers, pinned, weights, reputations, Map.of());
    }

    public int weight(String provider) {
        return weights.getOrDefault(provider, 0);
    }

    public double reputation(String provider) {
        return reputations.getOrDefault(provider, Reputation.NEUTRAL);
    }

    /** The provider's score at a recipient domain group, when it sent enough there; empty otherwise. */
    public OptionalDouble reputationAt(String provider, String group) {
        Double score = domainReputations.getOrDefault(group, Map.of()).get(provider);
        return score == null ? OptionalDouble.empty() : OptionalDouble.of(score);
    }
}
