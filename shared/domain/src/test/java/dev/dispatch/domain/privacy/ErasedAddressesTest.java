package dev.dispatch.domain.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dispatch.domain.subscriber.EmailAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ErasedAddressesTest {
    private static final byte[] KEY = "an-erasure-key-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);

    @Test
    void theStoredFormIsTheHmacOfTheIdentityTheSameForEveryLetterCase() {
        ErasedAddresses erased = new ErasedAddresses(() -> KEY);
        // printf '%s' 'eve@example.com' | openssl dgst -sha256 -hmac 'an-erasure-key-of-at-least-32-bytes!!'
        String expected = "erased#ab661baaaf719606d85265e2b935791cd7d24de159d91a241488ab10fbaa599c";
        assertEquals(expected, erased.keyOf(EmailAddress.parse("eve@example.com")));
        assertEquals(expected, erased.keyOf(EmailAddress.parse("EVE@Example.COM")));
    }

    @Test
    void anotherKeyGivesAnotherHashAndAShortKeyIsRefused() {
        EmailAddress eve = EmailAddress.parse("eve@example.com");
        byte[] other = "another-erasure-key-of-32-bytes-or-more".getBytes(StandardCharsets.UTF_8);
        assertNotEquals(new ErasedAddresses(() -> KEY).keyOf(eve), new ErasedAddresses(() -> other).keyOf(eve));
        assertThrows(IllegalStateException.class,
                () -> new ErasedAddresses(() -> "short".getBytes(StandardCharsets.UTF_8)).keyOf(eve));
    }
}
