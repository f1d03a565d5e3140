package dev.dispatch.domain.content;

/**
 * What a content check reads: the From address, and the subject, HTML and text as templates (Handlebars; plain
 * text is a template too). Any part may be null.
 */
public record MessageDraft(String fromEmail, String subject, String html, String text) {}
