package dev.dispatch.adapter.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.TestStack;
import dev.dispatch.adapter.importfile.CsvImportParser;
import dev.dispatch.domain.ConflictException;
import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.ImportReport;
import dev.dispatch.domain.subscriber.SegmentPage;
import dev.dispatch.domain.subscriber.Subscriber;
import dev.dispatch.domain.subscriber.SubscriberDetails;
import dev.dispatch.domain.subscriber.SubscriberImport;
import dev.dispatch.domain.subscriber.SubscriberService;
import dev.dispatch.domain.subscriber.SubscriberStats;
import dev.dispatch.domain.subscriber.SubscriberStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The subscriber use cases on the real DynamoDB adapters against dynalite (tables created from template.yaml). */
class SubscribersOnDynamoDbTest {
    private static ExecutorService executor;
    private static DynamoDbSubscriberStore store;
    private static DynamoDbSubscriberCounters counters;
    private static SubscriberService service;
    private static SubscriberImport importer;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void start() {
        executor = Executors.newFixedThreadPool(4);
        SubscriberTables tables = TestStack.subscriberTables();
        store = new DynamoDbSubscriberStore(TestStack.aws().dynamoDb(), tables);
        counters = new DynamoDbSubscriberCounters(TestStack.aws().dynamoDb(), tables.counters());
        service = new SubscriberService(store, counters, Clock.systemUTC());
        importer = new SubscriberImport(store, counters, Clock.systemUTC(), executor);
    }

    @AfterAll
    static void stop() {
        executor.shutdownNow();
    }

    private EmailAddress email(String local) {
        return EmailAddress.parse(local + "-" + run + "@example.com");
    }

    private String segment(String name) {
        return name + "-" + run;
    }

    @Test
    void givenNewSubscriber_whenAdded_thenReadBackWithEveryField() {
        EmailAddress ada = email("ada");
        service.add(ada, SubscriberDetails.of("Ada", "Lovelace", Map.of("plan", "pro", "seats", 3, "beta", true),
                List.of(segment("news")), "Europe/London"), "signup");
        Subscriber read = service.get(ada);
        assertEquals("Ada", read.firstName());
        assertEquals("Lovelace", read.lastName());
        assertEquals(Map.of("plan", "pro", "seats", new java.math.BigDecimal("3"), "beta", true), read.attributes());
        assertEquals(Set.of(segment("news")), read.segments());
        assertEquals(SubscriberStatus.ACTIVE, read.status());
        assertEquals("Europe/London", read.timeZone());
        assertEquals("signup", read.source());
        assertEquals(0.0, read.engagementScore());
        assertThrows(ConflictException.class, () -> service.add(ada, SubscriberDetails.of(null, null, null, null, null), null));
    }

    @Test
    void givenUnsubscribed_whenReAddedOrImported_thenStaysUnsubscribedAndCountersMoveOnce() {
        EmailAddress bob = email("bob");
        String news = segment("news");
        service.add(bob, SubscriberDetails.of("Bob", null, null, List.of(news), null), null);
        SubscriberStats before = counters.read();

        service.unsubscribe(bob, "api");
        service.unsubscribe(bob, "api"); // idempotent: counted once

        SubscriberStats after = counters.read();
        assertEquals(-1, after.byStatus().get(SubscriberStatus.ACTIVE) - before.byStatus().get(SubscriberStatus.ACTIVE));
        assertEquals(1, after.byStatus().get(SubscriberStatus.UNSUBSCRIBED) - before.byStatus().get(SubscriberStatus.UNSUBSCRIBED));
        assertEquals(Map.of(SubscriberStatus.ACTIVE, 0L, SubscriberStatus.UNSUBSCRIBED, 1L, SubscriberStatus.BOUNCED, 0L,
                SubscriberStatus.COMPLAINED, 0L), after.bySegment().get(news));

        assertThrows(ConflictException.class, () -> service.add(bob, SubscriberDetails.of(null, null, null, null, null), null));
        ImportReport report = importer.run(CsvImportParser.parse(
                ("email,firstName,segments\n" + bob.value() + ",Robert," + news + ";" + segment("vip") + "\n").getBytes(StandardCharsets.UTF_8), 100), null);
        assertEquals(List.of(new ImportReport.SkippedRow(2, bob.value(), "unsubscribed")), report.suppressed());
        Subscriber still = service.get(bob);
        assertEquals(SubscriberStatus.UNSUBSCRIBED, still.status());
        assertEquals("Bob", still.firstName());
        assertEquals(Set.of(news), still.segments());

        Subscriber back = service.resubscribe(bob);
        assertEquals(SubscriberStatus.ACTIVE, back.status());
        assertEquals(SubscriberStatus.ACTIVE, service.get(bob).status());
    }

    @Test
    void givenBounced_whenResubscribed_thenRefused() {
        EmailAddress carol = email("carol");
        service.add(carol, SubscriberDetails.of(null, null, null, null, null), null);
        assertTrue(store.addSuppression(new dev.dispatch.domain.subscriber.Suppression(carol, SubscriberStatus.BOUNCED, java.time.Instant.now(), "test")));
        assertThrows(ConflictException.class, () -> service.resubscribe(carol));
        assertEquals(SubscriberStatus.BOUNCED, service.get(carol).status());
    }

    @Test
    void givenAFile_whenImportedTwice_thenSecondRunChangesNothing() {
        String news = segment("news");
        StringBuilder csv = new StringBuilder("\uFEFFemail,first_name,Last Name,segments,plan\n");
        for (int i = 0; i < 250; i++) {
            csv.append(email("user" + i).value()).append(",User,").append(i).append(',').append(news).append(",pro\n");
        }
        csv.append("not-an-email,Bad,Row,").append(news).append(",pro\n");
        csv.append(email("user7").value()).append(",Dup,Row,").append(news).append(",pro\n");
        byte[] file = csv.toString().getBytes(StandardCharsets.UTF_8);
        SubscriberStats before = counters.read();

        ImportReport first = importer.run(CsvImportParser.parse(file, 10_000), null);
        assertEquals(252, first.received());
        assertEquals(250, first.created());
        assertEquals(List.of(new ImportReport.RejectedRow(252, "email", "is not a valid email address"),
                new ImportReport.RejectedRow(253, "email", "duplicate of row 9 in this file")), first.rejected());

        var itemsAfterFirst = scanUpdatedAt();
        ImportReport second = importer.run(CsvImportParser.parse(file, 10_000), null);
        assertEquals(0, second.created());
        assertEquals(0, second.updated());
        assertEquals(250, second.unchanged());
        assertEquals(itemsAfterFirst, scanUpdatedAt(), "a re-import must not rewrite any profile");

        SubscriberStats after = counters.read();
        assertEquals(250, after.byStatus().get(SubscriberStatus.ACTIVE) - before.byStatus().get(SubscriberStatus.ACTIVE));
        assertEquals(250L, after.bySegment().get(news).get(SubscriberStatus.ACTIVE));
        Subscriber user3 = service.get(email("user3"));
        assertEquals(Map.of("plan", "pro"), user3.attributes());
        assertEquals("3", user3.lastName());
    }

    @Test
    void givenASegment_whenPaged_thenEveryMemberOnceInOrderAndRemovedMembersLeave() {
        String seg = segment("paged");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            EmailAddress e = email(String.format("p%02d", i));
            service.add(e, SubscriberDetails.of(null, null, null, List.of(seg), null), null);
            expected.add(e.value());
        }
        // Leaves the segment by an update: must disappear from the pages.
        service.update(email("p05"), SubscriberDetails.of(null, null, null, List.of(), null));
        expected.remove(email("p05").value());

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            SegmentPage page = service.segment(seg, cursor, 5);
            page.subscribers().forEach(s -> seen.add(s.email().value()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null && pages < 20);
        assertEquals(expected, seen);
        assertEquals("cursor", assertThrows(InvalidInputException.class, () -> service.segment(seg, "bogus", 5)).field());
        assertEquals("limit", assertThrows(InvalidInputException.class, () -> service.segment(seg, null, 0)).field());
    }

    @Test
    void givenAConcurrentChange_whenUpdating_thenThePatchIsReappliedNotLost() {
        EmailAddress dan = email("dan");
        Subscriber created = service.add(dan, SubscriberDetails.of("Dan", null, null, null, null), null);
        assertFalse(store.replaceProfile(created.replacing(SubscriberDetails.of("X", null, null, null, null),
                created.updatedAt().plusSeconds(5)), created.updatedAt().minusSeconds(1)));
        Subscriber updated = service.update(dan, SubscriberDetails.of(null, "Smith", null, null, null));
        assertEquals("Dan", updated.firstName());
        assertEquals("Smith", service.get(dan).lastName());
        assertNull(service.get(dan).suppression());
    }

    private Map<String, String> scanUpdatedAt() {
        Map<String, String> result = new java.util.TreeMap<>();
        TestStack.aws().dynamoDb().scanPaginator(b -> b.tableName(TestStack.subscriberTables().subscribers()))
                .items().forEach(item -> {
                    String e = item.get("email").s();
                    if (e.contains(run)) {
                        result.put(e, item.get("updatedAt").s());
                    }
                });
        return result;
    }

    @SuppressWarnings("unused")
    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }
}
