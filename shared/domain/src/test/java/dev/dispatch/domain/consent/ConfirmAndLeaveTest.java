package dev.dispatch.domain.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.consent.OptInPolicy.Origin;
import dev.dispatch.domain.subscriber.ConsentRecord;
import dev.dispatch.domain.subscriber.CounterDelta;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.SegmentMembership;
import dev.dispatch.domain.subscriber.SegmentPage;
import dev.dispatch.domain.subscriber.Subscriber;
import dev.dispatch.domain.subscriber.SubscriberCounters;
import dev.dispatch.domain.subscriber.SubscriberDetails;
import dev.dispatch.domain.subscriber.SubscriberService;
import dev.dispatch.domain.subscriber.SubscriberService.Confirmation;
import dev.dispatch.domain.subscriber.SubscriberStats;
import dev.dispatch.domain.subscriber.SubscriberStatus;
import dev.dispatch.domain.subscriber.SubscriberStore;
import dev.dispatch.domain.subscriber.Suppression;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** SubscriberService's confirm and leave on an in-memory store (the DynamoDB one is exercised by OptInApiTest). */
class ConfirmAndLeaveTest {
    private static final EmailAddress ADA = new EmailAddress("ada@example.com");
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final SegmentSettings NEWS = new SegmentSettings("news", true, 1, "optin_news_v1", "Weekly", "v1", T0, null);
    private static final Origin CLICK = new Origin("confirmation-link", null, "203.0.113.9", "Mail/1.0");

    private final MemoryStore store = new MemoryStore();

    private SubscriberService service(Instant now) {
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        SegmentSettingsStore settings = new SegmentSettingsStore() {
            public Optional<SegmentSettings> find(String segment) {
                return Optional.ofNullable(findAll(List.of(segment)).get(segment));
            }

            public Map<String, SegmentSettings> findAll(Collection<String> segments) {
                return segments.contains("news") ? Map.of("news", NEWS) : Map.of();
            }

            public boolean put(SegmentSettings s) {
                return true;
            }
        };
        int[] n = {0};
        ConfirmationMail noMail = new ConfirmationMail(null, null, null, null, null) {
            @Override
            public void ensureQueued(EmailAddress email, dev.dispatch.domain.subscriber.PendingOptIn pending) {
                store.mails++;
            }
        };
        OptInPolicy policy = new OptInPolicy(settings, c -> ++n[0], noMail, Duration.ofDays(7), Duration.ofHours(1), clock);
        return new SubscriberService(store, new NoCounters(), clock, policy);
    }

    @Test
    void givenAPendingRequest_whenConfirmed_thenTheSegmentIsActiveWithTheClickAsEvidence_andOnlyOnce() {
        service(T0).add(ADA, new SubscriberDetails(null, null, null, new TreeSet<>(Set.of("news")), null), "api",
                Origin.of("api", "key-1"));
        assertEquals(1, store.mails);
        assertTrue(store.members.isEmpty(), "pending: not in the segment index");
        Instant click = T0.plus(Duration.ofHours(2));
        assertEquals(Confirmation.CONFIRMED, service(click).confirm(ADA, "news", CLICK));
        Subscriber after = store.find(ADA).orElseThrow();
        assertEquals(Set.of("news"), after.segments());
        assertTrue(after.optIns().pending().isEmpty());
        assertEquals(Set.of(new SegmentMembership("news", ADA)), store.members);
        ConsentRecord evidence = after.optIns().latest("news", ConsentRecord.Action.CONFIRMED);
        assertEquals("203.0.113.9", evidence.ip());
        assertEquals("Mail/1.0", evidence.userAgent());
        assertEquals("Weekly", evidence.text());
        assertEquals(click, evidence.at());
        assertEquals(Confirmation.ALREADY_CONFIRMED, service(click).confirm(ADA, "news", CLICK));
        assertEquals(1, store.mails);
    }

    @Test
    void givenAnExpiredOrNoRequest_whenConfirmed_thenNothingChanges() {
        service(T0).add(ADA, new SubscriberDetails(null, null, null, new TreeSet<>(Set.of("news")), null), "api",
                Origin.of("api", "key-1"));
        Subscriber before = store.find(ADA).orElseThrow();
        assertEquals(Confirmation.EXPIRED, service(T0.plus(Duration.ofDays(7))).confirm(ADA, "news", CLICK));
        assertEquals(Confirmation.EXPIRED, service(T0).confirm(ADA, "other", CLICK));
        assertEquals(Confirmation.UNKNOWN, service(T0).confirm(new EmailAddress("nobody@example.com"), "news", CLICK));
        assertEquals(before, store.find(ADA).orElseThrow());
        store.suppressions.put(ADA, new Suppression(ADA, SubscriberStatus.UNSUBSCRIBED, T0, "api"));
        assertEquals(Confirmation.SUPPRESSED, service(T0).confirm(ADA, "news", CLICK));
    }

    @Test
    void givenMembers_whenTheyLeaveSegments_thenOnlyThoseGo_withAWithdrawnRecord() {
        service(T0).add(ADA, new SubscriberDetails(null, null, null, new TreeSet<>(Set.of("a", "b", "news")), null), "api",
                Origin.of("api", "key-1"));
        Subscriber after = service(T0.plusSeconds(10)).leave(ADA, Set.of("a", "news", "never-held"),
                new Origin("preference-center", null, "203.0.113.9", "Mail/1.0"));
        assertEquals(Set.of("b"), after.segments());
        assertTrue(after.optIns().pending().isEmpty(), "leaving a pending segment drops the request");
        assertEquals(Set.of(new SegmentMembership("b", ADA)), store.members);
        assertEquals("preference-center", after.optIns().latest("a", ConsentRecord.Action.WITHDRAWN).method());
        assertEquals("preference-center", after.optIns().latest("news", ConsentRecord.Action.WITHDRAWN).method());
        assertNull(after.optIns().latest("never-held", ConsentRecord.Action.WITHDRAWN));
    }

    static final class NoCounters implements SubscriberCounters {
        public void apply(CounterDelta delta) {}

        public SubscriberStats read() {
            throw new UnsupportedOperationException();
        }
    }

    static final class MemoryStore implements SubscriberStore {
        final Map<EmailAddress, Subscriber> profiles = new HashMap<>();
        final Map<EmailAddress, Suppression> suppressions = new HashMap<>();
        final Set<SegmentMembership> members = new HashSet<>();
        int mails;

        public Optional<Subscriber> find(EmailAddress email) {
            return Optional.ofNullable(findAll(List.of(email)).get(email));
        }

        public Map<EmailAddress, Subscriber> findAll(Collection<EmailAddress> emails) {
            Map<EmailAddress, Subscriber> result = new HashMap<>();
            for (EmailAddress e : emails) {
                Subscriber s = profiles.get(e);
                if (s != null) {
                    result.put(e, s.withSuppression(suppressions.get(e)));
                }
            }
            return result;
        }

        public boolean createProfile(Subscriber s) {
            return profiles.putIfAbsent(s.email(), s) == null;
        }

        public boolean replaceProfile(Subscriber s, Instant expectedUpdatedAt) {
            if (!profiles.get(s.email()).updatedAt().equals(expectedUpdatedAt)) {
                return false;
            }
            profiles.put(s.email(), s);
            return true;
        }

        public void writeProfiles(Collection<Subscriber> subscribers) {
            subscribers.forEach(s -> profiles.put(s.email(), s));
        }

        public void addMemberships(Collection<SegmentMembership> memberships) {
            members.addAll(memberships);
        }

        public void removeMemberships(Collection<SegmentMembership> memberships) {
            members.removeAll(memberships);
        }

        public boolean addSuppression(Suppression suppression) {
            return suppressions.putIfAbsent(suppression.email(), suppression) == null;
        }

        public boolean removeSuppression(EmailAddress email, SubscriberStatus expectedReason) {
            return suppressions.remove(email) != null;
        }

        public List<EmailAddress> segmentMembersAfter(String segment, EmailAddress after, int limit) {
            throw new UnsupportedOperationException();
        }

        public SegmentPage segmentPage(String segment, String cursor, int limit) {
            throw new UnsupportedOperationException();
        }
    }
}
