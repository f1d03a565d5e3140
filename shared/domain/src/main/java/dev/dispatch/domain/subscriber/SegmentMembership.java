package dev.dispatch.domain.subscriber;

public record SegmentMembership(String segment, EmailAddress email) {}
