package dev.dispatch.adapter.secrets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.function.Supplier;

/**
 * The SHA-256 digests of the accepted API keys, as they are now (their secret may rotate while the function runs),
 * and the one rule every HTTP function checks a request's key by: {@code Authorization: Bearer <key>}, the digest of
 * the presented key compared with each configured digest in constant time. No digest configured: nothing is
 * accepted (fail closed).
 */
public record ApiKeyDigests(Supplier<List<byte[]>> current) {

    /** Whether the Authorization header carries an accepted key. */
    public boolean accepts(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] presented = sha256(authorizationHeader.substring(7).strip());
        boolean match = false;
        for (byte[] digest : current.get()) {
            // No early exit: every configured digest is compared, each in constant time.
            match |= MessageDigest.isEqual(presented, digest);
        }
        return match;
    }

    /**
     * Who made a change, for audit trails: {@code key-} and the first 12 hex digits of the presented key's SHA-256 -
     * enough to tell the keys apart, useless for recovering one.
     */
    public static String keyId(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return "key-unknown";
        }
        return "key-" + java.util.HexFormat.of().formatHex(sha256(authorizationHeader.substring(7).strip())).substring(0, 12);
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
