package dev.dispatch.domain;

/** The request is valid but the current state forbids it (already exists, suppressed, concurrent change). */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
