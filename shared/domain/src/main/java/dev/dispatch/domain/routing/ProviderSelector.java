package dev.dispatch.domain.routing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import dev.dispatch.domain.engagement.RecipientDomains;

/**
 * Chooses each recipient's provider among a batch's {@link Candidates}, and says why: the first domain rule naming the
 * recipient's domain, else the first engagement tier the recipient reaches (a best-reputation tier compares the
 * providers' reputations at the recipient's domain group where they are known), else (pinned campaigns) the pinned
 * order, else the weights. The weighted choice hashes the address, so the same recipient gets the same provider in every
 * delivery of its batch, and a spread close to the weights over many addresses. The other candidates follow as the
 * failover order. Pure: no I/O, no clock.
 */
public final class ProviderSelector {
    private final DeliveryRules rules;

    public ProviderSelector(DeliveryRules rules) {
        this.rules = rules;
    }

    public Route select(String address, double engagementScore, Candidates candidates) {
        List<String> available = candidates.providers();
        if (available.isEmpty()) {
            return new Route(List.of(), Route.ORDER);
        }
        String domain = domainOf(address);
        Optional<DeliveryRules.DomainRule> rule = rules.ruleFor(domain);
        if (rule.isPresent()) {
            Optional<String> chosen = rule.get().providers().stream().filter(available::contains).findFirst();
            if (chosen.isPresent()) {
                return route(chosen.get(), Route.rule(domain), available);
            }
        }
        Optional<DeliveryRules.Tier> tier = rules.tierFor(engagementScore);
        if (tier.isPresent()) {
            if (tier.get().bestReputation()) {
                String group = RecipientDomains.groupOf(domain);
                Best best = bestReputation(candidates, group);
                if (best.provider() != null) {
                    return route(best.provider(), best.byDomain() ? Route.tierAtDomain(tier.get().name(), group)
                            : Route.tier(tier.get().name()), available);
                }
            } else {
                Optional<String> chosen = tier.get().providers().stream().filter(available::contains).findFirst();
                if (chosen.isPresent()) {
                    return route(chosen.get(), Route.tier(tier.get().name()), available);
                }
            }
        }
        if (candidates.pinned()) {
            return route(available.get(0), Route.ORDER, available);
        }
        long total = available.stream().mapToLong(candidates::weight).sum();
        if (total <= 0) {
            return route(available.get(0), Route.ORDER, available); // every weight overridden to 0: plain order
        }
        long point = Long.remainderUnsigned(hash(address.toLowerCase(Locale.ROOT)), total);
        for (String provider : available) {
            point -= candidates.weight(provider);
            if (point < 0) {
                return route(provider, Route.WEIGHT, available);
            }
        }
        throw new IllegalStateException("weights did not cover the hash point");
    }

    /** The best-reputation choice, and whether a per-domain score took part in it. */
    private record Best(String provider, boolean byDomain) {}

    /**
     * The candidate with the highest reputation for the recipient's domain group; ties go to the earlier candidate.
     * A provider that sent enough to that group lately ({@link Reputation#MIN_DOMAIN_SENT}) is scored by its figures
     * there, the others by their provider-wide score: a provider Gmail likes but Yahoo bounces is judged per mailbox
     * operator. {@code byDomain} tells the route's reason that a domain score was compared. The catch-all group of
     * unknown domains ({@link RecipientDomains#OTHER}) has no domain score: it mixes unrelated domains.
     */
    private static Best bestReputation(Candidates candidates, String group) {
        String best = null;
        double bestScore = 0;
        boolean byDomain = false;
        for (String p : candidates.providers()) {
            OptionalDouble atDomain = RecipientDomains.known(group) ? candidates.reputationAt(p, group) : OptionalDouble.empty();
            byDomain |= atDomain.isPresent();
            double score = atDomain.isPresent() ? atDomain.getAsDouble() : candidates.reputation(p);
            if (best == null || score > bestScore) {
                best = p;
                bestScore = score;
            }
        }
        return new Best(best, byDomain);
    }

    private static Route route(String first, String reason, List<String> available) {
        List<String> order = new ArrayList<>(available.size());
        order.add(first);
        available.stream().filter(p -> !p.equals(first)).forEach(order::add);
        return new Route(order, reason);
    }

    static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : address.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    /** FNV-1a over the UTF-8 bytes with a final mix: the same in every JVM, spread evenly over similar addresses. */
    static long hash(String text) {
        long h = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
