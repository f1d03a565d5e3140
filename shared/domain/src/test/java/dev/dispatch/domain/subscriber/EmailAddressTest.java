package dev.dispatch.domain.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dispatch.domain.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmailAddressTest {

    @Test
    void givenMixedCaseDomain_whenParsed_thenDomainIsLowerCasedAndLocalPartKept() {
        assertEquals("Ada.Lovelace@example.com", EmailAddress.parse("  Ada.Lovelace@EXAMPLE.Com ").value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"plainaddress", "@example.com", "ada@", "ada@@example.com", "ada@exa mple.com",
            "ada@example", "ada@.com", "ada lovelace@example.com", "ada@example..com"})
    void givenInvalidSyntax_whenParsed_thenClearErrorNamingTheField(String raw) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> EmailAddress.parse(raw));
        assertEquals("email", e.field());
        assertEquals("is not a valid email address", e.reason());
    }

    @Test
    void givenBlankOrTooLong_whenParsed_thenRefused() {
        assertEquals("is required", assertThrows(InvalidInputException.class, () -> EmailAddress.parse(" ")).reason());
        String longLocal = "a".repeat(250) + "@example.com";
        assertThrows(InvalidInputException.class, () -> EmailAddress.parse(longLocal));
    }

    @Test
    void givenTwoCaseVariants_thenOneIdentity_eachKeepingItsGivenForm() {
        EmailAddress given = EmailAddress.parse("Bob@Example.com");
        EmailAddress lower = EmailAddress.parse("bob@example.com");
        assertEquals(lower, given);
        assertEquals(lower.hashCode(), given.hashCode());
        assertEquals(0, given.compareTo(lower));
        assertEquals("bob@example.com", given.key());
        assertEquals("Bob@example.com", given.value());
        assertEquals("Bob@example.com", given.legacyKey(), "where an earlier version keyed it");
        assertEquals(1, new java.util.HashSet<>(java.util.List.of(given, lower, EmailAddress.parse("BOB@EXAMPLE.COM"))).size());
    }

    @Test
    void givenPlusAddressingAndSubdomains_whenParsed_thenAccepted() {
        assertEquals("ada+news@mail.example.co.uk", EmailAddress.parse("ada+news@Mail.Example.co.uk").value());
    }
}
