package dev.dispatch.domain.campaign;

import java.time.Instant;

/**
 * An A/B test's progress as stored with its campaign: when it decides (fixed once the whole sample was sent) and
 * what it decided (fixed once). Either may be null (not yet).
 */
public record AbTestState(Instant decideAt, AbTestDecision decision) {
    public static final AbTestState NONE = new AbTestState(null, null);
}
