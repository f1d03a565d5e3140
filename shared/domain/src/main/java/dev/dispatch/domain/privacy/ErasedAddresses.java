package dev.dispatch.domain.privacy;

import dev.dispatch.domain.subscriber.EmailAddress;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What is kept of an erased address: a keyed hash (HMAC-SHA256 of the address's identity, lower-case hex), so the
 * address can be recognised when it comes back (a send, an import) but not read back from what is stored. A plain
 * hash would not do: anyone holding the table could hash a list of known addresses and match them.
 *
 * <p>The key must never change: an erasure recorded under another key is no longer recognised (the secret is kept
 * by the stack for that reason, and rotating it is not supported).
 */
public final class ErasedAddresses {
    /** Prefix of the key under which an erasure is stored, never a valid address (no '@'). */
    public static final String PREFIX = "erased#";
    static final int MIN_KEY_BYTES = 32;

    private final Supplier<byte[]> key;

    /** @param key the HMAC key (at least 32 bytes), read from the secret each time so a cached secret stays fresh */
    public ErasedAddresses(Supplier<byte[]> key) {
        this.key = key;
    }

    /** The stored form of an erased address, e.g. {@code erased#3f0a...}; the same for every letter case of it. */
    public String keyOf(EmailAddress email) {
        byte[] secret = key.get();
        if (secret == null || secret.length < MIN_KEY_BYTES) {
            throw new IllegalStateException("the erasure key has fewer than " + MIN_KEY_BYTES + " bytes");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return PREFIX + HexFormat.of().formatHex(mac.doFinal(email.key().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    public static boolean isErasedKey(String storedKey) {
        return storedKey != null && storedKey.startsWith(PREFIX);
    }
}
