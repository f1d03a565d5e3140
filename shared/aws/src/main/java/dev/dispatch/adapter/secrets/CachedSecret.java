package dev.dispatch.adapter.secrets;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A secret read once at cold start and kept, re-read when it is older than the refresh interval so that a rotated
 * value is picked up without a redeploy. A failed refresh (the service is unreachable, the new value doesn't parse)
 * keeps the last good value, logs which secret and why (never the value), and is tried again after another
 * interval. Refreshing happens on the calling thread (a Lambda container is frozen between invocations, so a
 * background timer could not be relied on); while one thread refreshes, the others keep using the current value.
 *
 * @param <T> the parsed value
 */
public final class CachedSecret<T> implements Supplier<T> {
    private static final System.Logger LOG = System.getLogger(CachedSecret.class.getName());

    private record Snapshot<T>(T value, Instant readAt) {}

    private final String secretId;
    private final SecretReader reader;
    private final Function<String, T> parser;
    private final Duration refreshInterval;
    private final Clock clock;
    private final ReentrantLock refreshing = new ReentrantLock();
    private volatile Snapshot<T> snapshot;

    /**
     * Reads the secret now: a secret that can't be read or parsed at cold start fails the function's init.
     *
     * @param parser turns the secret's text into its value; throws IllegalArgumentException (whose message must not
     *     contain the text) for a value that is not valid
     */
    public CachedSecret(String secretId, SecretReader reader, Function<String, T> parser, Duration refreshInterval, Clock clock) {
        this.secretId = Objects.requireNonNull(secretId, "secretId");
        this.reader = reader;
        this.parser = parser;
        this.refreshInterval = refreshInterval;
        this.clock = clock;
        try {
            this.snapshot = new Snapshot<>(parse(reader.read(secretId)), clock.instant());
        } catch (RuntimeException e) {
            throw new IllegalStateException("secret " + secretId + " can't be read at cold start: " + reason(e), e);
        }
    }

    /** The current value, refreshed first when it is older than the refresh interval. */
    @Override
    public T get() {
        Snapshot<T> current = snapshot;
        Instant now = clock.instant();
        if (now.isBefore(current.readAt().plus(refreshInterval)) || !refreshing.tryLock()) {
            return current.value();
        }
        try {
            current = snapshot;
            if (now.isBefore(current.readAt().plus(refreshInterval))) {
                return current.value();
            }
            try {
                T fresh = parse(reader.read(secretId));
                snapshot = new Snapshot<>(fresh, now);
                return fresh;
            } catch (RuntimeException e) {
                // Keep serving the last good value; try again after another interval rather than on every call.
                snapshot = new Snapshot<>(current.value(), now);
                LOG.log(Level.WARNING, "secret " + secretId + " could not be refreshed, the last good value stays in use: "
                        + reason(e));
                return current.value();
            }
        } finally {
            refreshing.unlock();
        }
    }

    public String secretId() {
        return secretId;
    }

    private T parse(String text) {
        return parser.apply(text);
    }

    /** The exception's type and message: the readers and parsers never put a secret's value into a message. */
    private static String reason(RuntimeException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
