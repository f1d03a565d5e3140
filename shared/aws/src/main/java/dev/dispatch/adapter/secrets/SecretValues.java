package dev.dispatch.adapter.secrets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.domain.subscriber.UnsubscribeKeyring;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The formats of the platform's secrets, each a JSON object (see template.yaml). Errors say what is wrong and
 * never quote the text: the JSON parser's own messages (which do) are not passed on.
 */
public final class SecretValues {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The keyring's member naming the signing key; every other member is a key id with its key. */
    public static final String CURRENT_KEY = "current";

    private SecretValues() {}

    /** The object's string members ({@code null} and empty strings left out): the provider credential secrets. */
    public static Map<String, String> fields(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        object(text).fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual() && !e.getValue().isNull()) {
                throw new IllegalArgumentException("member " + e.getKey() + " of the secret is not a string");
            }
            if (e.getValue().isTextual() && !e.getValue().asText().isBlank()) {
                out.put(e.getKey(), e.getValue().asText());
            }
        });
        return Map.copyOf(out);
    }

    /** One string member, empty when absent or blank (a placeholder the operator has not filled). */
    public static Optional<String> field(String text, String name) {
        return Optional.ofNullable(fields(text).get(name));
    }

    /**
     * {@code {"key": "<at least 32 characters>"}}: the key that signs dashboard sessions (report function). Too short
     * or absent is refused, so a placeholder never signs anything.
     */
    public static byte[] sessionKey(String text) {
        String key = field(text, "key").orElseThrow(() -> new IllegalArgumentException("the secret has no \"key\" member"));
        if (key.length() < 32) {
            throw new IllegalArgumentException("the secret's \"key\" is shorter than 32 characters");
        }
        return key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** {@code {"sha256": ["<64 hex>", ...]}}: the SHA-256 digests of the accepted API keys. */
    public static List<byte[]> apiKeyDigests(String text) {
        JsonNode digests = object(text).path("sha256");
        if (!digests.isArray()) {
            throw new IllegalArgumentException("the secret has no \"sha256\" array of API key digests");
        }
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < digests.size(); i++) {
            String hex = digests.get(i).asText("").strip();
            if (!hex.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("sha256[" + i + "] is not 64 hex digits (a SHA-256 digest)");
            }
            out.add(HexFormat.of().parseHex(hex));
        }
        return List.copyOf(out);
    }

    /** {@code {"key": "<at least 32 characters>"}}: the HMAC key of erased addresses, as its UTF-8 bytes. */
    public static byte[] erasureKey(String text) {
        String key = field(text, "key").orElseThrow(() -> new IllegalArgumentException("the secret has no \"key\""));
        byte[] bytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length < 32) {
            throw new IllegalArgumentException("the erasure key has fewer than 32 bytes");
        }
        return bytes;
    }

    /** The keyed hash of erased addresses over a cached erasure key secret. */
    public static dev.dispatch.domain.privacy.ErasedAddresses erasedAddresses(CachedSecret<byte[]> key) {
        return new dev.dispatch.domain.privacy.ErasedAddresses(key);
    }

    /** {@code {"current": "<key id>", "<key id>": "<key>", ...}}: the unsubscribe link keyring. */
    public static UnsubscribeKeyring unsubscribeKeyring(String text) {
        Map<String, String> members = new LinkedHashMap<>(fields(text));
        String current = members.remove(CURRENT_KEY);
        return new UnsubscribeKeyring(current, members);
    }

    private static JsonNode object(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the secret is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("the secret is not a JSON object");
        }
        return node;
    }
}
