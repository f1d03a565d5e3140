package dev.dispatch.domain.content;

import java.util.List;

/** The DNS TXT records the sender checks read. */
public interface SenderDns {

    /**
     * Every TXT record at {@code name}, each with its strings joined (RFC 7208 §3.3); empty when the name or the
     * type does not exist.
     *
     * @throws LookupFailedException when no answer could be had (timeout, server failure): unknown, not absent
     */
    List<String> txt(String name);

    final class LookupFailedException extends RuntimeException {
        public LookupFailedException(String message) {
            super(message);
        }
    }
}
