package dev.dispatch.domain.subscriber;

import dev.dispatch.domain.InvalidInputException;
import java.util.Locale;
import org.apache.commons.validator.routines.EmailValidator;

/**
 * A syntactically valid address. The domain is lower-cased (domains are case-insensitive); the local part is kept
 * as given, since RFC 5321 lets a mailbox treat it case-sensitively.
 */
public record EmailAddress(String value) implements Comparable<EmailAddress> {
    private static final int MAX_LENGTH = 254; // RFC 5321 path limit less the angle brackets
    private static final EmailValidator VALIDATOR = EmailValidator.getInstance(false, false);

    public EmailAddress {
        if (value == null) {
            throw new IllegalArgumentException("email is null");
        }
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

    public String domain() {
        return value.substring(value.lastIndexOf('@') + 1);
    }

    @Override
    public int compareTo(EmailAddress other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
