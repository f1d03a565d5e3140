package dev.dispatch.domain.engagement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecipientDomainsTest {

    @Test
    void eachMailboxOperatorsDomainsAreOneGroup() {
        assertEquals("gmail.com", RecipientDomains.groupOf("Ada@GoogleMail.com"));
        assertEquals("gmail.com", RecipientDomains.groupOf("gmail.com"));
        for (String d : new String[] {"outlook.com", "hotmail.com", "hotmail.co.uk", "live.com", "msn.com"}) {
            assertEquals("outlook.com", RecipientDomains.groupOf("x@" + d), d);
        }
        for (String d : new String[] {"yahoo.com", "ymail.com", "aol.com", "yahoo.co.uk"}) {
            assertEquals("yahoo.com", RecipientDomains.groupOf("x@" + d), d);
        }
        for (String d : new String[] {"icloud.com", "me.com", "mac.com"}) {
            assertEquals("icloud.com", RecipientDomains.groupOf("x@" + d), d);
        }
        assertEquals("gmx.net", RecipientDomains.groupOf("x@web.de"));
        assertEquals("gmail.com", RecipientDomains.groupOf("x@gmail.com."), "a fully qualified name is the same domain");
    }

    @Test
    void everyOtherDomainIsOtherSoTheCounterSetIsBounded() {
        assertEquals(RecipientDomains.OTHER, RecipientDomains.groupOf("ceo@example.com"));
        assertEquals(RecipientDomains.OTHER, RecipientDomains.groupOf("x@mail.gmail.com.evil.test"));
        assertEquals(RecipientDomains.OTHER, RecipientDomains.groupOf("x@notgmail.com"));
        assertEquals(RecipientDomains.OTHER, RecipientDomains.groupOf(null));
        assertFalse(RecipientDomains.known(RecipientDomains.OTHER));
        assertTrue(RecipientDomains.known("gmail.com"));
        assertTrue(RecipientDomains.groups().size() <= 25, RecipientDomains.groups().toString());
        assertEquals(RecipientDomains.OTHER, RecipientDomains.groups().get(RecipientDomains.groups().size() - 1));
    }

    @Test
    void domainCountersSplitByTheLastDotAndHoldNoAddress() {
        Map<String, Long> counts = Map.of("sent", 10L, "domain.gmail.com.sent", 6L, "domain.gmail.com.bounced", 1L,
                "domain.other.sent", 4L, "variant.A.sent", 5L, "provider.ses.sent", 10L);
        assertEquals(Map.of("gmail.com", Map.of("sent", 6L, "bounced", 1L), "other", Map.of("sent", 4L)),
                RecipientDomains.split(counts));
        assertEquals(Map.of("sent", 10L, "variant.A.sent", 5L, "provider.ses.sent", 10L), RecipientDomains.withoutDomains(counts));
        DeliveryStats.Day day = new DeliveryStats.Day(LocalDate.of(2026, 12, 1), "ses", counts);
        assertEquals(6L, day.count("gmail.com", "sent"));
        assertEquals(0L, day.count("yahoo.com", "sent"));
        assertEquals(2, day.domains().size());
        assertEquals("domain.icloud.com.opened", RecipientDomains.counter(RecipientDomains.groupOf("a@me.com"), "opened"));
    }
}
