package dev.dispatch.domain.subscriber;

import java.util.Locale;

/** Where a subscriber stands. Every status but ACTIVE is a suppression: such an address is never mailed. */
public enum SubscriberStatus {
    ACTIVE,
    UNSUBSCRIBED,
    BOUNCED,
    COMPLAINED,
    /**
     * Erased at the person's request: nothing is kept but a keyed hash of the address (see
     * {@code dev.dispatch.domain.privacy.ErasedAddresses}), so the address is never mailed or added again.
     */
    ERASED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SubscriberStatus fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    public boolean suppressed() {
        return this != ACTIVE;
    }
}
