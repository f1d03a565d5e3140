package dev.dispatch.domain.pacing;

import java.time.Instant;
import java.util.Optional;

/**
 * Counters and the AIMD state shared by every send-batch instance (the control table). Each method is one storage
 * call: pacing costs at most two calls per provider API call (this second's window, today's quota), never one per
 * recipient.
 */
public interface PacingStore {

    /**
     * Adds {@code n} (may be negative) to the counter under {@code key} atomically, creating it with the expiry, and
     * returns the count after the addition. Concurrent adders each see a distinct "after"; "after - n" is what the
     * others had taken before this call.
     */
    long add(String key, long n, Instant expiresAt);

    /** The counter's current value, 0 if it does not exist (for status pages; not used to grant). */
    long read(String key);

    /** The provider's last rate cut, if any. */
    Optional<AimdState> aimd(String provider);

    /**
     * Stores {@code next} only if the provider's last cut happened at or before {@code lastCutNoLaterThan} (or there
     * was none): at most one cut per spacing interval, however many instances saw throttling at once.
     *
     * @return false if another instance cut more recently
     */
    boolean cut(String provider, AimdState next, Instant lastCutNoLaterThan);
}
