package dev.dispatch.local;

/** A synchronous invocation payload over Lambda's 6 MB limit (Lambda answers RequestEntityTooLargeException). */
public class PayloadTooLargeException extends RuntimeException {
    public PayloadTooLargeException(String message) {
        super(message);
    }
}
