package dev.dispatch.domain.campaign;

import java.util.Locale;
import java.util.Set;

/** draft -> scheduled -> sending -> sent, with paused (resumable) and cancelled (final) on the side. */
public enum CampaignStatus {
    DRAFT,
    SCHEDULED,
    SENDING,
    PAUSED,
    SENT,
    CANCELLED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CampaignStatus fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    public boolean isFinal() {
        return this == SENT || this == CANCELLED;
    }

    /** The moves a person may ask for; SENT is reached only by the pipeline when every batch is done. */
    public boolean canMoveTo(CampaignStatus next) {
        return switch (this) {
            case DRAFT -> Set.of(SCHEDULED, SENDING, CANCELLED).contains(next);
            case SCHEDULED -> Set.of(SENDING, PAUSED, CANCELLED).contains(next);
            case SENDING -> Set.of(PAUSED, CANCELLED, SENT).contains(next);
            case PAUSED -> Set.of(SENDING, SCHEDULED, CANCELLED).contains(next);
            case SENT, CANCELLED -> false;
        };
    }
}
