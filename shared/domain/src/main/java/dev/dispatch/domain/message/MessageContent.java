package dev.dispatch.domain.message;

/**
 * The rendered parts of a message. In a {@link MergeForm} it holds the tagged rendering, shared by every recipient
 * of one variant: the same instance for all of them, so grouping by it is cheap.
 */
public record MessageContent(String subject, String preheader, String html, String text) {}
