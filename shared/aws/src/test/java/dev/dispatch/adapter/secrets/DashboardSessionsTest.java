package dev.dispatch.adapter.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DashboardSessionsTest {
    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);
    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private final AtomicReference<byte[]> key = new AtomicReference<>(bytes("a-session-signing-key-of-32-characters!"));
    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
    };
    private final DashboardSessions sessions = new DashboardSessions(key::get, HOUR, clock);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void givenAFreshSession_thenItIsValidUntilItsLifetimeEndsAndNotAfter() {
        String token = sessions.issue();
        assertEquals(Optional.of(T0.plus(HOUR)), sessions.expiry(token));
        now.set(T0.plus(HOUR).minusSeconds(1));
        assertTrue(sessions.valid(token));
        now.set(T0.plus(HOUR));
        assertFalse(sessions.valid(token), "expired at its expiry");
        now.set(T0.plus(Duration.ofDays(3)));
        assertFalse(sessions.valid(token));
    }

    @Test
    void givenATamperedToken_thenItIsRefused() {
        String token = sessions.issue();
        String[] parts = token.split("\\.");
        // A later expiry with the old MAC.
        assertFalse(sessions.valid(parts[0] + "." + (Long.parseLong(parts[1]) + 3600) + "." + parts[2]));
        // One bit of the MAC flipped.
        byte[] mac = Base64.getUrlDecoder().decode(parts[2]);
        mac[0] ^= 1;
        assertFalse(sessions.valid(parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac)));
        // Another version, a truncated MAC, no MAC, garbage.
        assertFalse(sessions.valid("v2." + parts[1] + "." + parts[2]));
        assertFalse(sessions.valid(parts[0] + "." + parts[1] + "." + parts[2].substring(0, 20)));
        assertFalse(sessions.valid(parts[0] + "." + parts[1] + "."));
        assertFalse(sessions.valid(parts[0] + "." + parts[1]));
        assertFalse(sessions.valid("not a token"));
        assertFalse(sessions.valid(""));
        assertFalse(sessions.valid(null));
        assertTrue(sessions.valid(token), "the untouched token still verifies");
    }

    @Test
    void givenATokenSignedWithAnotherKeyOrTooFarAhead_thenItIsRefused() {
        DashboardSessions other = new DashboardSessions(() -> bytes("another-key-another-key-another-key!!"), HOUR, clock);
        assertFalse(sessions.valid(other.issue()));
        // Signed with the right key but for a year: not a token this lifetime makes.
        DashboardSessions longLived = new DashboardSessions(key::get, Duration.ofDays(365), clock);
        assertFalse(sessions.valid(longLived.issue()));
    }

    @Test
    void whenTheSigningKeyRotates_thenEverySessionEnds() {
        String token = sessions.issue();
        key.set(bytes("the-rotated-signing-key-of-32-characters"));
        assertFalse(sessions.valid(token));
        assertTrue(sessions.valid(sessions.issue()));
    }

    @Test
    void theSecretMustHoldAKeyOfAtLeast32Characters() {
        assertEquals(40, SecretValues.sessionKey("{\"key\": \"0123456789012345678901234567890123456789\"}").length);
        assertThrows(IllegalArgumentException.class, () -> SecretValues.sessionKey("{\"key\": \"short\"}"));
        assertThrows(IllegalArgumentException.class, () -> SecretValues.sessionKey("{\"key\": \"\"}"));
        assertThrows(IllegalArgumentException.class, () -> SecretValues.sessionKey("{}"));
    }
}
