package dev.dispatch.domain.privacy;

import dev.dispatch.domain.subscriber.EmailAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Everything the platform holds about one address, across every table: read for export, removed for erasure. */
public interface PersonalData {

    /**
     * Every record held about the address, by kind ({@code profile}, {@code memberships}, {@code suppressions},
     * {@code engagement}, {@code campaignEvents}, {@code sends}), as plain JSON-able values; empty kinds included.
     */
    Map<String, Object> export(EmailAddress email);

    /** Writes the erasure record (the keyed hash only) unless present; from then on the address reads as erased. */
    void recordErasure(String erasedKey, Instant now);

    /**
     * Deletes the person's records and redacts their entries in shared items (send ledger batches, campaign
     * cursors) to {@code erasedKey}. Idempotent: run again until nothing waits.
     */
    Erasure erase(EmailAddress email, String erasedKey, Instant now);

    /**
     * @param removed what was deleted or redacted, by kind (counts only: this goes into the audit log)
     * @param waiting shared items that could not be redacted yet because a send or enqueue holds them right now
     *     (kind and id, no address): the erasure must be run again
     */
    record Erasure(Map<String, Integer> removed, List<String> waiting) {
        public boolean complete() {
            return waiting.isEmpty();
        }
    }
}
