package dev.dispatch.domain.campaign;

/**
 * One arm of an A/B test: a share of the recipients and what it changes (subject and/or content; null = as the
 * campaign's).
 */
public record Variant(String id, int percent, String subject, String html, String text) {}
