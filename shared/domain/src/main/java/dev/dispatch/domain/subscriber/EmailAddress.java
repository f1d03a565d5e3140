package dev.dispatch.domain.subscriber;

import dev.dispatch.domain.InvalidInputException;
import java.util.Locale;
import org.apache.commons.validator.routines.EmailValidator;

/**
 * A syntactically valid address, as the subscriber gave it ({@link #value()}: shown and used as the To address;
 * only the domain is lower-cased, domains being case-insensitive), and its identity ({@link #key()}: the whole address lower-cased). Two addresses that differ only in letter case
 * are one person: RFC 5321 lets a mailbox treat the local part case-sensitively, but no mailbox provider people
 * use does, and treating {@code Bob@Example.com} and {@code bob@example.com} as two subscribers would let one be
 * mailed after the other unsubscribed. Equality, hashing and order go by the key.
 */
public final class EmailAddress implements Comparable<EmailAddress> {
    private static final int MAX_LENGTH = 254; // RFC 5321 path limit less the angle brackets
    private static final EmailValidator VALIDATOR = EmailValidator.getInstance(false, false);

    private final String value;
    private final String key;

    public EmailAddress(String value) {
        if (value == null) {
            throw new IllegalArgumentException("email is null");
        }
        this.value = value;
        this.key = value.toLowerCase(Locale.ROOT);
    }

    public static EmailAddress parse(String raw) {
        return parse(raw, "email");
    }

    public static EmailAddress parse(String raw, String field) {
        if (raw == null || raw.isBlank()) {
            throw new InvalidInputException(field, "is required");
        }
        String trimmed = raw.strip();
        if (trimmed.length() > MAX_LENGTH) {
            throw new InvalidInputException(field, "is longer than " + MAX_LENGTH + " characters");
        }
        int at = trimmed.lastIndexOf('@');
        if (at <= 0 || at == trimmed.length() - 1 || !VALIDATOR.isValid(trimmed)) {
            throw new InvalidInputException(field, "is not a valid email address");
        }
        return new EmailAddress(trimmed.substring(0, at) + "@" + trimmed.substring(at + 1).toLowerCase(Locale.ROOT));
    }

    /** The address as given: what is shown and what mail is sent to. */
    public String value() {
        return value;
    }

    /** The identity: the whole address lower-cased. Every record keyed by an address is keyed by this. */
    public String key() {
        return key;
    }

    /**
     * The key the platform used before addresses were one per person (the local part as given, the domain
     * lower-cased): where records written by earlier versions still live until they are migrated.
     */
    public String legacyKey() {
        int at = value.lastIndexOf('@');
        return at < 0 ? value : value.substring(0, at) + "@" + value.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    public String domain() {
        return key.substring(key.lastIndexOf('@') + 1);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EmailAddress that && key.equals(that.key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    @Override
    public int compareTo(EmailAddress other) {
        return key.compareTo(other.key);
    }

    @Override
    public String toString() {
        return value;
    }
}
