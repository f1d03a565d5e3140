package dev.dispatch.adapter.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.TestStack;
import dev.dispatch.adapter.importfile.CsvImportParser;
import dev.dispatch.domain.ConflictException;
import dev.dispatch.domain.subscriber.CounterDelta;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.ImportReport;
import dev.dispatch.domain.subscriber.SegmentPage;
import dev.dispatch.domain.subscriber.Subscriber;
import dev.dispatch.domain.subscriber.SubscriberDetails;
import dev.dispatch.domain.subscriber.SubscriberImport;
import dev.dispatch.domain.subscriber.SubscriberService;
import dev.dispatch.domain.subscriber.SubscriberStatus;
import dev.dispatch.domain.subscriber.Suppression;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One person, one address, on the real adapters against dynalite: addresses that differ only in letter case are
 * one subscriber for identity, de-duplication and suppression; records written by the earlier version (keyed by
 * the address with its local part as given) are honoured before the migration and moved by it.
 */
class AddressIdentityOnDynamoDbTest {
    private static ExecutorService executor;
    private static DynamoDbClient dynamoDb;
    private static SubscriberTables tables;
    private static String engagementTable;
    private static DynamoDbSubscriberStore store;
    private static DynamoDbSubscriberCounters counters;
    private static SubscriberService service;
    private static SubscriberImport importer;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void start() {
        executor = Executors.newFixedThreadPool(4);
        dynamoDb = TestStack.aws().dynamoDb();
        tables = TestStack.subscriberTables();
        engagementTable = TestStack.aws().resources().tableName("EngagementTable");
        store = new DynamoDbSubscriberStore(dynamoDb, tables);
        counters = new DynamoDbSubscriberCounters(dynamoDb, tables.counters());
        service = new SubscriberService(store, counters, Clock.systemUTC());
        importer = new SubscriberImport(store, counters, Clock.systemUTC(), executor);
    }

    @AfterAll
    static void stop() {
        executor.shutdownNow();
    }

    private String segment(String name) {
        return name + "-" + run;
    }

    private ImportReport importCsv(String csv) {
        return importer.run(CsvImportParser.parse(csv.getBytes(StandardCharsets.UTF_8), 1000), null);
    }

    private Map<String, AttributeValue> item(String table, Map<String, AttributeValue> key) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
        return item == null || item.isEmpty() ? null : item;
    }

    private Map<String, AttributeValue> profileItem(String key) {
        return item(tables.subscribers(), Map.of("email", AttributeValue.fromS(key)));
    }

    private Map<String, AttributeValue> suppressionItem(String key) {
        return item(tables.suppressions(), Map.of("email", AttributeValue.fromS(key)));
    }

    private boolean memberEntry(String segment, String key) {
        return item(tables.segmentMembers(), Map.of("segment", AttributeValue.fromS(segment), "email", AttributeValue.fromS(key))) != null;
    }

    @Test
    void givenAnAddressInOneCase_whenReadOrAddedInAnother_thenItIsTheSameSubscriberShownAsGiven() {
        EmailAddress given = EmailAddress.parse("Bob.Smith-" + run + "@Example.COM");
        service.add(given, SubscriberDetails.of("Bob", null, null, List.of(segment("news")), null), "signup");

        Subscriber read = service.get(EmailAddress.parse("bob.smith-" + run + "@example.com"));
        assertEquals("Bob.Smith-" + run + "@example.com", read.email().value(), "the form given is kept for display and sending");
        assertEquals("Bob", read.firstName());
        assertThrows(ConflictException.class, () -> service.add(EmailAddress.parse("BOB.SMITH-" + run + "@example.com"),
                SubscriberDetails.of(null, null, null, null, null), null));
        assertNull(profileItem("Bob.Smith-" + run + "@example.com"), "keyed by the identity, not the form given");
        assertEquals("Bob.Smith-" + run + "@example.com",
                profileItem("bob.smith-" + run + "@example.com").get("address").s());
    }

    @Test
    void givenAnImportWithTwoCaseVariants_thenTheSecondIsADuplicateOfTheFirstRow_andAcrossCallsAnUpdate() {
        String news = segment("news");
        ImportReport first = importCsv("email,firstName,segments\n"
                + "Carol-" + run + "@example.com,Carol," + news + "\n"
                + "dave-" + run + "@example.com,Dave," + news + "\n"
                + "carol-" + run + "@EXAMPLE.com,Caroline," + news + "\n");
        assertEquals(2, first.created());
        assertEquals(List.of(new ImportReport.RejectedRow(4, "email", "duplicate of row 2 in this file")), first.rejected());

        ImportReport again = importCsv("email,firstName,segments\nCAROL-" + run + "@example.com,Caroline," + news + ";" + segment("vip") + "\n");
        assertEquals(0, again.created());
        assertEquals(1, again.updated());
        Subscriber carol = service.get(EmailAddress.parse("carol-" + run + "@example.com"));
        assertEquals("Carol-" + run + "@example.com", carol.email().value(), "the first form given stays");
        assertEquals("Caroline", carol.firstName());
        assertEquals(Set.of(news, segment("vip")), carol.segments());
        SegmentPage page = service.segment(news, null, 100);
        assertEquals(2, page.subscribers().size(), "one entry per person: " + page.subscribers());
    }

    @Test
    void givenUnsubscribedInOneCase_thenEveryCaseIsSuppressed_andResubscribingInAnotherCaseLiftsIt() {
        String news = segment("news");
        EmailAddress given = EmailAddress.parse("Erin-" + run + "@Example.com");
        service.add(given, SubscriberDetails.of("Erin", null, null, List.of(news), null), null);
        service.unsubscribe(given, "api");

        EmailAddress lower = EmailAddress.parse("erin-" + run + "@example.com");
        assertEquals(SubscriberStatus.UNSUBSCRIBED, service.get(lower).status());
        assertFalse(store.findAll(List.of(lower)).get(lower).mailable());
        ImportReport report = importCsv("email,segments\nerin-" + run + "@example.com," + news + "\n");
        assertEquals(List.of(new ImportReport.SkippedRow(2, "erin-" + run + "@example.com", "unsubscribed")), report.suppressed());
        assertEquals(0, report.created());

        service.suppress(EmailAddress.parse("ERIN-" + run + "@example.com"), SubscriberStatus.BOUNCED, "webhook");
        assertEquals(SubscriberStatus.UNSUBSCRIBED, service.get(lower).status(), "already suppressed: kept as it is");

        assertEquals(SubscriberStatus.ACTIVE, service.resubscribe(EmailAddress.parse("ERIN-" + run + "@EXAMPLE.COM")).status());
        assertEquals(SubscriberStatus.ACTIVE, service.get(given).status());
    }

    // ---------------------------------------------------------------- records written by the earlier version

    /** A profile as the earlier version wrote it: keyed by the address with only the domain lower-cased. */
    private void legacyProfile(String key, String firstName, List<String> segments, SubscriberStatus suppressed) {
        Instant created = Instant.parse("2026-01-02T03:04:05Z");
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("email", AttributeValue.fromS(key));
        item.put("firstName", AttributeValue.fromS(firstName));
        item.put("segments", AttributeValue.fromSs(segments));
        item.put("engagementScore", AttributeValue.fromN("1.5"));
        item.put("createdAt", AttributeValue.fromS(created.toString()));
        item.put("updatedAt", AttributeValue.fromS(created.toString()));
        dynamoDb.putItem(b -> b.tableName(tables.subscribers()).item(item));
        for (String segment : segments) {
            dynamoDb.putItem(b -> b.tableName(tables.segmentMembers())
                    .item(Map.of("segment", AttributeValue.fromS(segment), "email", AttributeValue.fromS(key))));
        }
        if (suppressed != null) {
            legacySuppression(key, suppressed);
        }
        // and counted it, one profile per spelling
        EmailAddress address = new EmailAddress(key);
        counters.apply(new CounterDelta().record(null, new Subscriber(address, firstName, null, null, new TreeSet<>(segments),
                1.5, null, null, created, created, suppressed == null ? null : new Suppression(address, suppressed, created, "api"))));
    }

    private static long count(Map<String, Map<SubscriberStatus, Long>> bySegment, String segment, SubscriberStatus status) {
        return bySegment.getOrDefault(segment, Map.of()).getOrDefault(status, 0L);
    }

    private void legacySuppression(String key, SubscriberStatus reason) {
        dynamoDb.putItem(b -> b.tableName(tables.suppressions()).item(Map.of("email", AttributeValue.fromS(key),
                "reason", AttributeValue.fromS(reason.wireName()), "since", AttributeValue.fromS("2026-02-01T00:00:00Z"),
                "source", AttributeValue.fromS("api"))));
    }

    private DynamoDbAddressMigration migration() {
        return new DynamoDbAddressMigration(dynamoDb, tables, engagementTable, TestStack.aws().resources().tableName("CampaignsTable"),
                "test-" + UUID.randomUUID(), Clock.systemUTC());
    }

    @Test
    void givenLegacyRecords_beforeTheMigration_thenTheyAreFoundAndTheirSuppressionHonoured() {
        String news = segment("news");
        legacyProfile("Gina-" + run + "@example.com", "Gina", List.of(news), SubscriberStatus.UNSUBSCRIBED);
        legacyProfile("Hal-" + run + "@example.com", "Hal", List.of(news), null);

        Subscriber gina = service.get(EmailAddress.parse("Gina-" + run + "@EXAMPLE.com"));
        assertEquals(SubscriberStatus.UNSUBSCRIBED, gina.status());
        ImportReport report = importCsv("email,firstName,segments\nGina-" + run + "@example.com,G," + news
                + "\nHal-" + run + "@example.com,Harold," + news + "\n");
        assertEquals(0, report.created(), "a re-import finds the earlier version's profiles");
        assertEquals(1, report.updated());
        assertEquals(1, report.suppressed().size());
        assertThrows(ConflictException.class, () -> service.add(EmailAddress.parse("Hal-" + run + "@example.com"),
                SubscriberDetails.of(null, null, null, null, null), null));
        assertEquals(List.of("Gina", "Harold"),
                service.segment(news, null, 100).subscribers().stream().map(Subscriber::firstName).toList(), "each once");
    }

    @Test
    void givenLegacyRecordsInSeveralCases_whenMigrated_thenOneProfilePerPersonKeepingEverySuppression() {
        String s1 = segment("s1");
        String s2 = segment("s2");
        String s3 = segment("s3");
        // Ivy: an earlier version's unsubscribed profile, and a second profile of hers in lower case.
        legacyProfile("Ivy-" + run + "@example.com", "Ivy", List.of(s1), SubscriberStatus.UNSUBSCRIBED);
        service.add(EmailAddress.parse("ivy-" + run + "@example.com"), SubscriberDetails.of(null, "Green", null, List.of(s2), null), null);
        // Jay: active in lower case; a bounce recorded by the earlier version for JAY.
        service.add(EmailAddress.parse("jay-" + run + "@example.com"), SubscriberDetails.of("Jay", null, null, List.of(s3), null), null);
        legacySuppression("JAY-" + run + "@example.com", SubscriberStatus.BOUNCED);
        // Kim: only an earlier version's profile; her engagement state and history under the old key.
        legacyProfile("Kim-" + run + "@example.com", "Kim", List.of(s1), null);
        dynamoDb.putItem(b -> b.tableName(engagementTable).item(Map.of("pk", AttributeValue.fromS("sub#Kim-" + run + "@example.com"),
                "sk", AttributeValue.fromS("state"), "softBounceStreak", AttributeValue.fromN("2"), "version", AttributeValue.fromN("3"))));
        dynamoDb.putItem(b -> b.tableName(engagementTable).item(Map.of("pk", AttributeValue.fromS("cmp#c-" + run),
                "sk", AttributeValue.fromS("Kim-" + run + "@example.com"), "opened", AttributeValue.fromN("1"))));

        assertTrue(migration().runUntil(Instant.now().plusSeconds(60)), "the migration completes");

        EmailAddress ivy = EmailAddress.parse("IVY-" + run + "@example.com");
        Subscriber merged = service.get(ivy);
        assertEquals(SubscriberStatus.UNSUBSCRIBED, merged.status(), "a suppression of either profile is kept");
        assertEquals(Set.of(s1, s2), merged.segments());
        assertEquals("Ivy", merged.firstName());
        assertEquals("Green", merged.lastName());
        assertNull(profileItem("Ivy-" + run + "@example.com"), "the legacy profile is gone");
        assertNull(suppressionItem("Ivy-" + run + "@example.com"));
        assertEquals("unsubscribed", suppressionItem("ivy-" + run + "@example.com").get("reason").s());
        assertFalse(memberEntry(s1, "Ivy-" + run + "@example.com"));
        assertTrue(memberEntry(s1, "ivy-" + run + "@example.com"));

        assertEquals(SubscriberStatus.BOUNCED, service.get(EmailAddress.parse("jay-" + run + "@example.com")).status());
        assertNull(suppressionItem("JAY-" + run + "@example.com"));

        assertEquals("Kim", service.get(EmailAddress.parse("kim-" + run + "@example.com")).firstName());
        assertEquals("Kim-" + run + "@example.com", service.get(EmailAddress.parse("kim-" + run + "@example.com")).email().value());
        assertEquals("2", item(engagementTable, Map.of("pk", AttributeValue.fromS("sub#kim-" + run + "@example.com"),
                "sk", AttributeValue.fromS("state"))).get("softBounceStreak").n());
        assertNull(item(engagementTable, Map.of("pk", AttributeValue.fromS("sub#Kim-" + run + "@example.com"), "sk", AttributeValue.fromS("state"))));
        assertTrue(item(engagementTable, Map.of("pk", AttributeValue.fromS("cmp#c-" + run), "sk", AttributeValue.fromS("kim-" + run + "@example.com"))) != null);

        var after = counters.read().bySegment();
        assertEquals(1L, count(after, s1, SubscriberStatus.ACTIVE), "Kim");
        assertEquals(1L, count(after, s1, SubscriberStatus.UNSUBSCRIBED), "Ivy, counted once");
        assertEquals(0L, count(after, s2, SubscriberStatus.ACTIVE));
        assertEquals(1L, count(after, s2, SubscriberStatus.UNSUBSCRIBED), "Ivy, counted once");
        assertEquals(0L, count(after, s3, SubscriberStatus.ACTIVE));
        assertEquals(1L, count(after, s3, SubscriberStatus.BOUNCED), "Jay");

        // A re-import in any case is an update of the one profile; running the migration again changes nothing.
        ImportReport report = importCsv("email,firstName,segments\nkim-" + run + "@EXAMPLE.com,Kimberly," + s1
                + "\nIVY-" + run + "@example.com,Ivy," + s1 + "\n");
        assertEquals(0, report.created());
        assertEquals(1, report.updated());
        assertEquals(1, report.suppressed().size());
        var settled = counters.read().bySegment();
        assertTrue(migration().runUntil(Instant.now().plusSeconds(60)));
        assertEquals(settled.get(s1), counters.read().bySegment().get(s1));
        assertEquals(settled.get(s2), counters.read().bySegment().get(s2));
        assertEquals(1L, count(settled, s1, SubscriberStatus.ACTIVE));
        Set<String> kimKeys = new TreeSet<>();
        for (String key : List.of("kim-" + run + "@example.com", "Kim-" + run + "@example.com", "KIM-" + run + "@example.com")) {
            if (profileItem(key) != null) {
                kimKeys.add(key);
            }
        }
        assertEquals(Set.of("kim-" + run + "@example.com"), kimKeys, "one profile");
    }
}
