package dev.dispatch.domain.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.subscriber.EmailAddress;
import org.junit.jupiter.api.Test;

class SenderAllowlistTest {
    private final SenderAllowlist list = SenderAllowlist.parse("Example.com, news@other.org");

    @Test
    void givenADomainEntry_thenAnyAddressOfThatDomainInAnyCaseIsAllowed() {
        assertTrue(list.allows(EmailAddress.parse("news@example.com")));
        assertTrue(list.allows(EmailAddress.parse("Team@EXAMPLE.COM")));
    }

    @Test
    void givenADomainEntry_thenItsSubdomainsAndLookAlikesAreNot() {
        assertFalse(list.allows(EmailAddress.parse("news@mail.example.com")));
        assertFalse(list.allows(EmailAddress.parse("news@example.com.evil.net")));
        assertFalse(list.allows(EmailAddress.parse("news@notexample.com")));
    }

    @Test
    void givenAnAddressEntry_thenOnlyThatAddressIsAllowed_domainAnyCase_localPartExact() {
        assertTrue(list.allows(EmailAddress.parse("news@OTHER.org")));
        assertFalse(list.allows(EmailAddress.parse("billing@other.org")));
        assertFalse(list.allows(EmailAddress.parse("News@other.org")));
    }

    @Test
    void givenAnAddressOutside_whenChecked_thenTheFieldIsNamed() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> list.check(EmailAddress.parse("ceo@bank.example.net"), "fromEmail"));
        assertEquals("fromEmail", e.field());
        assertTrue(e.reason().contains("not an allowed sender"), e.reason());
    }

    @Test
    void givenAnEmptyOrBrokenList_thenItIsRefusedAtStartup() {
        assertThrows(IllegalArgumentException.class, () -> SenderAllowlist.parse(""));
        assertThrows(IllegalArgumentException.class, () -> SenderAllowlist.parse(" , "));
        assertThrows(IllegalArgumentException.class, () -> SenderAllowlist.parse("example.com,not a domain"));
        assertThrows(IllegalArgumentException.class, () -> SenderAllowlist.parse("@example.com"));
        assertThrows(IllegalArgumentException.class, () -> SenderAllowlist.parse("localhost"));
    }
}
