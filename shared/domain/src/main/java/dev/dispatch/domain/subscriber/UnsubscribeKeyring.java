package dev.dispatch.domain.subscriber;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The keys of one-click unsubscribe links: the one new links are signed with ({@code currentKeyId}) and every key
 * that still verifies links already in mailboxes. Rotating adds a key and makes it current; an older key is removed
 * once its links may be refused (they stop working then).
 *
 * <p>Links made before tokens carried a key id are verified with the key stored under {@link #LEGACY_KEY_ID}.
 */
public final class UnsubscribeKeyring {
    /** The id of the key that verifies tokens without a key id (links issued before key ids existed). */
    public static final String LEGACY_KEY_ID = "legacy";
    /** Key ids appear in every link: short, URL-safe, and never containing the token's separator. */
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    static final int MIN_KEY_BYTES = 32;

    private final String currentKeyId;
    private final Map<String, byte[]> keys;

    /**
     * @param currentKeyId the id of the key that signs new links; it must be one of {@code keys}
     * @param keys key id to key (UTF-8 text, at least 32 bytes)
     * @throws IllegalArgumentException naming the key id at fault, never a key
     */
    public UnsubscribeKeyring(String currentKeyId, Map<String, String> keys) {
        if (currentKeyId == null || !keys.containsKey(currentKeyId)) {
            throw new IllegalArgumentException("the current key id must name one of the keys " + keys.keySet());
        }
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        keys.forEach((id, key) -> {
            if (!KEY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("key id '" + id + "' is not 1-32 letters, digits, '_' or '-'");
            }
            if (key == null || key.getBytes(StandardCharsets.UTF_8).length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException("key " + id + " has fewer than " + MIN_KEY_BYTES + " bytes");
            }
            bytes.put(id, key.getBytes(StandardCharsets.UTF_8));
        });
        this.currentKeyId = currentKeyId;
        this.keys = Map.copyOf(bytes);
    }

    /** A keyring of one key, which signs and verifies. */
    public static UnsubscribeKeyring single(String keyId, String key) {
        return new UnsubscribeKeyring(keyId, Map.of(keyId, key));
    }

    public String currentKeyId() {
        return currentKeyId;
    }

    byte[] currentKey() {
        return keys.get(currentKeyId);
    }

    /** The key with this id, if the keyring still holds it. */
    Optional<byte[]> key(String keyId) {
        return Optional.ofNullable(keys.get(keyId));
    }

    static boolean validKeyId(String keyId) {
        return KEY_ID.matcher(keyId).matches();
    }
}
