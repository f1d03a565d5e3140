package dev.dispatch.adapter.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.TestStack;
import dev.dispatch.domain.campaign.LedgerBatch;
import dev.dispatch.domain.campaign.LedgerRecipient;
import dev.dispatch.domain.campaign.NewBatch;
import dev.dispatch.domain.campaign.RecipientResult;
import dev.dispatch.domain.privacy.ErasedAddresses;
import dev.dispatch.domain.privacy.PersonalData;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.SubscriberStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The send-ledger redaction rule of an erasure, on dynalite with the template's tables. */
class DataErasureOnDynamoDbTest {
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final DynamoDbClient dynamo = TestStack.aws().dynamoDb();
    private final String ledgerTable = TestStack.aws().resources().tableName("SendLedgerTable");
    private final DynamoDbSendLedger ledger = new DynamoDbSendLedger(dynamo, ledgerTable);
    private final ErasedAddresses erased = new ErasedAddresses(
            () -> "a-test-erasure-key-of-at-least-32-bytes".getBytes(StandardCharsets.UTF_8));
    private final DynamoDbPersonalData data = new DynamoDbPersonalData(dynamo, TestStack.subscriberTables(),
            TestStack.aws().resources().tableName("CampaignsTable"), ledgerTable,
            TestStack.aws().resources().tableName("EngagementTable"));

    @Test
    void aHeldBatchWaitsAndIsRedactedInPlaceOnceReleasedKeepingEveryOtherRecipientAndNeverSendingThePerson() {
        String campaign = "c-" + run;
        EmailAddress eve = EmailAddress.parse("eve-" + run + "@example.com");
        String bob = "bob-" + run + "@example.com";
        String zed = "zed-" + run + "@example.com";
        ledger.create(campaign, new NewBatch(0, List.of(new LedgerRecipient(bob, "A"), new LedgerRecipient(eve.key(), "B"),
                new LedgerRecipient(zed, null)), zed, 0, 0));
        Instant now = Instant.now();
        ledger.claim(campaign, 0, "owner-1", now.plus(Duration.ofMinutes(2)), now);
        ledger.record(campaign, 0, "owner-1", Map.of(bob, new RecipientResult(RecipientResult.Fate.SENT, "ses", "m-1", null)));
        ledger.markInflight(campaign, 0, "owner-1", List.of(eve.key()));
        String key = erased.keyOf(eve);

        PersonalData.Erasure held = data.erase(eve, key, now);
        assertEquals(List.of("ledger " + campaign + "#0 (being sent right now)"), held.waiting());
        assertTrue(ledger.find(campaign, 0).orElseThrow().recipients().contains(new LedgerRecipient(eve.key(), "B")),
                "a held batch is not touched");

        ledger.release(campaign, 0, "owner-1"); // the owner died with eve's call in flight; its lease is given back
        PersonalData.Erasure done = data.erase(eve, key, now);
        assertTrue(done.complete(), done.waiting().toString());
        assertEquals(1, done.removed().get("ledgerEntries"));
        LedgerBatch batch = ledger.find(campaign, 0).orElseThrow();
        assertEquals(List.of(new LedgerRecipient(bob, "A"), new LedgerRecipient(key, "B"), new LedgerRecipient(zed, null)),
                batch.recipients(), "the slot is kept, in place, with its variant");
        assertEquals(RecipientResult.Fate.SENT, batch.results().get(bob).fate());
        assertEquals(RecipientResult.Fate.UNKNOWN, batch.results().get(key).fate(), "in flight: maybe sent, never again");
        assertFalse(batch.results().containsKey(eve.key()));
        assertTrue(batch.inflight().isEmpty());
        assertEquals(LedgerBatch.State.PENDING, batch.state());
        // The next owner finds only zed without a result: the erased slot is never sent.
        LedgerBatch next = ledger.claim(campaign, 0, "owner-2", now.plus(Duration.ofMinutes(2)), now).orElseThrow();
        assertEquals(List.of(zed), next.recipients().stream().map(LedgerRecipient::email)
                .filter(e -> !next.results().containsKey(e)).toList());
        assertFalse(dynamo.scan(b -> b.tableName(ledgerTable)).items().toString().contains("eve-" + run));
    }

    @Test
    void theErasureRecordHoldsOnlyTheKeyedHashAndMakesEveryReadSeeTheAddressAsErased() {
        EmailAddress eve = EmailAddress.parse("Eve-" + run + "@example.com");
        DynamoDbSubscriberStore store = new DynamoDbSubscriberStore(dynamo, TestStack.subscriberTables(), erased);
        assertTrue(store.find(eve).isEmpty());
        data.recordErasure(erased.keyOf(eve), Instant.now());
        assertEquals(SubscriberStatus.ERASED, store.find(EmailAddress.parse("EVE-" + run + "@EXAMPLE.com")).orElseThrow().status());
        assertFalse(dynamo.scan(b -> b.tableName(TestStack.subscriberTables().suppressions())).items().toString()
                .toLowerCase(java.util.Locale.ROOT).contains("eve-" + run));
    }
}
