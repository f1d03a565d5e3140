package dev.dispatch.domain.subscriber;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One piece of consent evidence for one segment: when, how and from where it came, and what the person agreed to.
 * Kept on the profile (a list, oldest first) so it travels with the person: shown by the API, exported, and erased
 * with the profile.
 *
 * @param action {@link Action#GIVEN} (added directly), {@link Action#REQUESTED} (double opt-in: a confirmation was
 *     sent), {@link Action#CONFIRMED} (the confirmation link was used) or {@link Action#WITHDRAWN} (left the segment)
 * @param method how: {@code api}, {@code import}, {@code confirmation-link}, {@code preference-center}
 * @param source from where: the API key id ({@code key-...}), an import id, or null where IP and user agent say it
 * @param ip the IP address of a click (confirmation link, preference center); null otherwise
 * @param userAgent the user agent of a click; null otherwise
 * @param text the consent text the segment showed at the time (null if it has none)
 * @param version the version of that text (null if it has none)
 */
public record ConsentRecord(String segment, Instant at, Action action, String method, String source, String ip,
        String userAgent, String text, String version) {

    public enum Action {
        GIVEN, REQUESTED, CONFIRMED, WITHDRAWN;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Action fromWire(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    public ConsentRecord {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(method, "method");
    }
}
