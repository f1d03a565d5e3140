package dev.dispatch.domain.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.consent.OptInPolicy.Decision;
import dev.dispatch.domain.consent.OptInPolicy.Origin;
import dev.dispatch.domain.subscriber.ConsentRecord;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.PendingOptIn;
import dev.dispatch.domain.subscriber.Subscriber;
import dev.dispatch.domain.subscriber.SubscriberDetails;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OptInPolicyTest {
    private static final EmailAddress ADA = new EmailAddress("ada@example.com");
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration EXPIRY = Duration.ofDays(7);
    private static final Duration COOLDOWN = Duration.ofHours(1);
    private static final SegmentSettings NEWS = new SegmentSettings("news", true, 1, "optin_news_v1", "Weekly news", "v1",
            T0, "key-1");
    private static final SegmentSettings PLAIN = new SegmentSettings("plain", false, 1, null, "Offers", "v2", T0, "key-1");
    private static final Origin API = Origin.of("api", "key-abc");

    private final AtomicInteger numbers = new AtomicInteger();

    private Decision decide(Subscriber before, Subscriber after, boolean replaces, Instant now) {
        return OptInPolicy.decide(before, after, replaces, API, Map.of("news", NEWS, "plain", PLAIN), now, EXPIRY, COOLDOWN,
                c -> numbers.incrementAndGet());
    }

    private static Subscriber requested(Set<String> segments, Instant now) {
        return Subscriber.create(ADA, new SubscriberDetails(null, null, null, new TreeSet<>(segments), null), "api", now);
    }

    @Test
    void givenADoubleOptInSegment_whenAdded_thenItIsPendingNotASegment_andOneMailIsRequested() {
        Decision d = decide(null, requested(Set.of("news", "plain"), T0), true, T0);
        assertEquals(Set.of("plain"), d.subscriber().segments());
        PendingOptIn p = d.subscriber().optIns().pending().get("news");
        assertEquals(new PendingOptIn("news", T0, T0.plus(EXPIRY), "optin_news_v1", 1), p);
        assertEquals(List.of(p), d.newRequests());
        List<ConsentRecord> consents = d.subscriber().optIns().consents();
        assertEquals(2, consents.size());
        ConsentRecord news = d.subscriber().optIns().latest("news", ConsentRecord.Action.REQUESTED);
        assertEquals("key-abc", news.source());
        assertEquals("Weekly news", news.text());
        assertEquals("v1", news.version());
        ConsentRecord plain = d.subscriber().optIns().latest("plain", ConsentRecord.Action.GIVEN);
        assertEquals("api", plain.method());
        assertEquals("v2", plain.version());
    }

    @Test
    void givenAPendingRequest_whenAskedAgainInsideTheCooldown_thenTheRequestStandsAndNothingNewIsSent() {
        Subscriber stored = decide(null, requested(Set.of("news"), T0), true, T0).subscriber();
        Instant later = T0.plus(Duration.ofMinutes(59));
        Decision again = decide(stored, stored.mergingImport(new SubscriberDetails(null, null, null,
                new TreeSet<>(Set.of("news")), null), later), false, later);
        assertSame(stored, again.subscriber(), "nothing changed: no write");
        assertTrue(again.newRequests().isEmpty());
        assertEquals(List.of(stored.optIns().pending().get("news")), again.standing());
        assertEquals(1, numbers.get(), "no new mail number");
    }

    @Test
    void givenAPendingRequest_whenAskedAgainAfterTheCooldownOrAfterItExpired_thenANewRequestReplacesIt() {
        Subscriber stored = decide(null, requested(Set.of("news"), T0), true, T0).subscriber();
        Instant afterCooldown = T0.plus(COOLDOWN);
        Decision again = decide(stored, stored.mergingImport(new SubscriberDetails(null, null, null,
                new TreeSet<>(Set.of("news")), null), afterCooldown), false, afterCooldown);
        assertEquals(2, again.newRequests().get(0).batch());
        assertEquals(afterCooldown, again.subscriber().optIns().pending().get("news").requestedAt());

        Instant expired = T0.plus(EXPIRY);
        assertEquals(null, stored.optIns().pendingFor("news", expired));
        Decision renewed = decide(stored, stored.mergingImport(new SubscriberDetails(null, null, null,
                new TreeSet<>(Set.of("news")), null), expired), false, expired);
        assertEquals(1, renewed.newRequests().size());
    }

    @Test
    void givenAPendingRequest_whenAWriteDoesNotNameIt_thenAnImportKeepsItAndAPutWithSegmentsDropsIt() {
        Subscriber stored = decide(null, requested(Set.of("news"), T0), true, T0).subscriber();
        Instant later = T0.plusSeconds(5);
        Subscriber importRow = stored.mergingImport(new SubscriberDetails(null, null, null, new TreeSet<>(Set.of("plain")), null), later);
        assertTrue(decide(stored, importRow, false, later).subscriber().optIns().pending().containsKey("news"));
        Subscriber put = stored.replacing(new SubscriberDetails(null, null, null, new TreeSet<>(Set.of("plain")), null), later);
        Decision replaced = decide(stored, put, true, later);
        assertTrue(replaced.subscriber().optIns().pending().isEmpty());
        assertEquals(Set.of("plain"), replaced.subscriber().segments());
    }

    @Test
    void givenAnExpiredRequest_whenTheProfileIsWrittenForAnotherReason_thenTheExpiredRequestIsDropped() {
        Subscriber stored = decide(null, requested(Set.of("news"), T0), true, T0).subscriber();
        Instant expired = T0.plus(EXPIRY).plusSeconds(1);
        Subscriber renamed = stored.replacing(new SubscriberDetails("Ada", null, null, null, null), expired);
        assertTrue(decide(stored, renamed, false, expired).subscriber().optIns().pending().isEmpty());
    }

    @Test
    void givenAnActiveMember_whenAddedAgain_thenNoConsentRecordAndNoMail() {
        Subscriber stored = decide(null, requested(Set.of("plain"), T0), true, T0).subscriber();
        Decision again = decide(stored, stored.mergingImport(new SubscriberDetails(null, null, null,
                new TreeSet<>(Set.of("plain")), null), T0.plusSeconds(1)), false, T0.plusSeconds(1));
        assertSame(stored, again.subscriber());
    }
}
