package dev.dispatch.domain.campaign;

/** The message templates (Handlebars): subject, preheader, HTML and/or text body. */
public record CampaignContent(String subject, String preheader, String html, String text) {}
