package dev.dispatch.adapter.dynamodb;

/** Physical table names, given by the environment (template.yaml) - never hard-coded. */
public record SubscriberTables(String subscribers, String segmentMembers, String suppressions, String counters) {}
