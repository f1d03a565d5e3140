package dev.dispatch.domain.engagement;

/**
 * What happened to a sent message, normalized across providers. Hard and soft bounces are told apart by each
 * provider's own classification ({@link #BOUNCED} is permanent and suppresses at once, {@link #SOFT_BOUNCED} only
 * when repeated). A provider event the platform doesn't use is {@link #OTHER}: counted and acknowledged, never an
 * error.
 */
public enum EngagementType {
    DELIVERED,
    OPENED,
    CLICKED,
    BOUNCED,
    SOFT_BOUNCED,
    COMPLAINED,
    UNSUBSCRIBED,
    DEFERRED,
    DROPPED,
    SENT,
    REJECTED,
    RENDERING_FAILURE,
    OTHER
}
