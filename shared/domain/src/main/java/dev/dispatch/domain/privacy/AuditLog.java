package dev.dispatch.domain.privacy;

import java.time.Instant;
import java.util.Map;

/** The record of data requests: who asked, when, for what, and what was done; never the address itself. */
public interface AuditLog {

    /**
     * @param action {@code export} or {@code erase}
     * @param actor the API key id that asked (never the key)
     * @param subject the keyed hash of the address ({@link ErasedAddresses#keyOf}): lets whoever holds the key and
     *     the address find the entry, tells nobody else whom it is about
     * @param outcome counts by kind, and for an unfinished erasure what waits
     */
    void record(String action, String actor, Instant at, String subject, Map<String, Object> outcome);
}
