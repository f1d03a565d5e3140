package dev.dispatch.domain.content;

/**
 * A change the checker can make on request: what it does, to which part, and that part before and after. Nothing is
 * changed until the caller asks for the improvement by its id.
 */
public record ContentImprovement(String id, String description, String part, String before, String after) {}
