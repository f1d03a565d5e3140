package dev.dispatch.domain.subscriber;

import java.time.Instant;
import java.util.Objects;

/**
 * A double opt-in waiting for its confirmation: the person asked (or was added) for {@code segment}, a confirmation
 * mail went out as batch {@code batch} of the segment's confirmation campaign {@code campaign} (that pair is the
 * mail's idempotency key in the send ledger: however often it is queued, it is sent once), and the request lapses
 * at {@code expiresAt} (checked on every read: an expired request confirms nothing and is dropped on the next write).
 */
public record PendingOptIn(String segment, Instant requestedAt, Instant expiresAt, String campaign, int batch) {

    public PendingOptIn {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(requestedAt, "requestedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(campaign, "campaign");
    }

    public boolean expired(Instant now) {
        return !now.isBefore(expiresAt);
    }
}
