package dev.dispatch.adapter.secrets;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived sessions for the dashboard, derived from the API key: whoever presented an accepted key gets a token
 * {@code v1.<expires, epoch seconds>.<HMAC-SHA256 of "v1.<expires>", base64url>} in an HttpOnly cookie, so that the
 * key itself is never kept by the browser. Stateless (nothing stored); the signing key comes from a secret, and
 * rotating that secret ends every session at once. Verification compares the MAC in constant time before it looks
 * at the expiry, and refuses an expiry further ahead than one lifetime (a token that was not made here).
 */
public final class DashboardSessions {
    private static final String VERSION = "v1";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final Supplier<byte[]> key;
    private final Duration lifetime;
    private final Clock clock;

    public DashboardSessions(Supplier<byte[]> key, Duration lifetime, Clock clock) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("a session lifetime must be positive, not " + lifetime);
        }
        this.key = key;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    public Duration lifetime() {
        return lifetime;
    }

    /** A new session ending one lifetime from now. */
    public String issue() {
        long expires = clock.instant().plus(lifetime).getEpochSecond();
        String payload = VERSION + "." + expires;
        return payload + "." + B64.encodeToString(mac(payload));
    }

    /** Whether the token was signed with the current key and has not expired. Null or malformed: false. */
    public boolean valid(String token) {
        return expiry(token).isPresent();
    }

    /** The token's expiry when it is valid now. */
    public Optional<Instant> expiry(String token) {
        if (token == null || token.length() > 200) {
            return Optional.empty();
        }
        int last = token.lastIndexOf('.');
        if (last < 0 || !token.startsWith(VERSION + ".")) {
            return Optional.empty();
        }
        String payload = token.substring(0, last);
        byte[] presented;
        try {
            presented = Base64.getUrlDecoder().decode(token.substring(last + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(presented, mac(payload))) {
            return Optional.empty();
        }
        long expires;
        try {
            expires = Long.parseLong(payload.substring(VERSION.length() + 1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Instant at = Instant.ofEpochSecond(expires);
        if (!at.isAfter(now) || at.isAfter(now.plus(lifetime).plusSeconds(1))) {
            return Optional.empty();
        }
        return Optional.of(at);
    }

    private byte[] mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.get(), "HmacSHA256"));
            return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
