package dev.dispatch.domain.routing;

import java.util.List;

/**
 * A recipient's providers in the order to try them (the first is the chosen one, the rest the failover order) and why
 * the first was chosen: {@code rule:<domain>}, {@code tier:<name>}, {@code tier:<name>;domain:<group>} (a
 * best-reputation tier that compared the providers' reputations at the recipient's domain group, see
 * {@link dev.dispatch.domain.engagement.RecipientDomains}), {@code weight}, {@code order} (the campaign's pinned order),
 * {@code warming-overflow:<plan>} (over a warming plan's allowance, sent through another provider) or, after the chosen
 * one failed, {@code failover:<provider>}.
 */
public record Route(List<String> order, String reason) {
    public static final String WEIGHT = "weight";
    public static final String ORDER = "order";

    public Route {
        order = List.copyOf(order);
    }

    public static String rule(String domain) {
        return "rule:" + domain;
    }

    public static String tier(String name) {
        return "tier:" + name;
    }

    /** A best-reputation tier's choice that compared reputations at the recipient's domain group. */
    public static String tierAtDomain(String name, String group) {
        return tier(name) + ";domain:" + group;
    }

    /** Recipients over warming plan {@code plan}'s allowance, routed away from the plan's provider. */
    public static String warmingOverflow(String plan) {
        return "warming-overflow:" + plan;
    }

    public static String failover(String from) {
        return "failover:" + from;
    }
}
