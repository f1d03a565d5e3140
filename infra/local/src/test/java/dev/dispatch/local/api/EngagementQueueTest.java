package dev.dispatch.local.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.emulators.LocalAws;
import dev.dispatch.local.LocalCloudExtension;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The engagement queue end to end: EngagementQueue -> apply-engagement (the real function.zip in the Lambda runtime
 * client) -> DynamoDB, with the queue's redrive policy from template.yaml. The test cloud redelivers a failed message
 * after 1 s, so retries and the dead-letter queue are reached within seconds.
 */
@ExtendWith(LocalCloudExtension.class)
class EngagementQueueTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    // A provider name of its own, so this test's daily counters are exact in the shared stack.
    private final String provider = "e2e-" + run;
    private final LocalAws aws = LocalCloudExtension.localAws();
    private final SqsClient sqs = aws.sqs();
    private final DynamoDbClient dynamoDb = aws.dynamoDb();
    private final Instant at = Instant.now().minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    private Map<String, Object> event(String id, String type, String recipient) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("provider", provider);
        e.put("providerEventId", id);
        e.put("type", type);
        e.put("recipient", recipient);
        e.put("occurredAt", at.toString());
        return e;
    }

    private void enqueue(List<Map<String, Object>> events) throws Exception {
        String body = JSON.writeValueAsString(Map.of("events", events));
        sqs.sendMessage(b -> b.queueUrl(aws.resources().queueUrl("EngagementQueue")).messageBody(body));
    }

    private Map<String, Long> statsToday() {
        String sk = LocalDate.ofInstant(at, ZoneOffset.UTC) + "#" + provider;
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(aws.resources().tableName("CountersTable"))
                .key(Map.of("pk", AttributeValue.fromS("delivery-stats"), "sk", AttributeValue.fromS(sk))).consistentRead(true)).item();
        Map<String, Long> counts = new LinkedHashMap<>();
        item.forEach((name, value) -> {
            if (name.startsWith("n_")) {
                counts.put(name.substring(2), Long.parseLong(value.n()));
            }
        });
        return counts;
    }

    private static String eventKey(String provider, String id, String recipient) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256")
                .digest((provider + '\u0000' + id + '\u0000' + recipient).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest, 0, 16);
    }

    private Map<String, AttributeValue> historyItem(String id, String recipient) throws Exception {
        String sk = String.format("evt#%015d#%s", at.toEpochMilli(), eventKey(provider, id, recipient));
        return dynamoDb.getItem(b -> b.tableName(aws.resources().tableName("EngagementTable"))
                .key(Map.of("pk", AttributeValue.fromS("sub#" + recipient), "sk", AttributeValue.fromS(sk))).consistentRead(true)).item();
    }

    private static void await(String what, Duration limit, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(250);
        }
    }

    @Test
    void copiesOfAMessageCountEachEventOnce() throws Exception {
        String ada = "ada-" + run + "@googlemail.com";
        List<Map<String, Object>> events = List.of(event("d1", "DELIVERED", ada), event("o1", "OPENED", ada),
                event("o2", "OPENED", ada), event("c1", "CLICKED", ada), event("x1", "OTHER", ada));
        for (int copy = 0; copy < 3; copy++) {
            enqueue(events);
        }
        // the totals, and the same under the recipient's mailbox operator (googlemail.com is Gmail), each once
        Map<String, Long> expected = Map.of("delivered", 1L, "opened", 2L, "clicked", 1L, "other", 1L,
                "domain.gmail.com.delivered", 1L, "domain.gmail.com.opened", 2L, "domain.gmail.com.clicked", 1L,
                "domain.gmail.com.other", 1L);
        await("the events to be applied", Duration.ofSeconds(60), () -> statsToday().equals(expected));
        Thread.sleep(3000); // the copies were applied or recognized by now; nothing may change any more
        assertEquals(expected, statsToday());
        assertEquals("applied", historyItem("c1", ada).get("state").s());
    }

    /**
     * An attempt that died while applying an event leaves its lease: the next delivery fails (the event is busy),
     * SQS redelivers, and once the lease has expired the event is applied - once.
     */
    @Test
    void anEventLeftHalfAppliedByADeadAttemptIsRetriedUntilApplied() throws Exception {
        String bob = "bob-" + run + "@example.com";
        String sk = String.format("evt#%015d#%s", at.toEpochMilli(), eventKey(provider, "b1", bob));
        Map<String, AttributeValue> claim = new LinkedHashMap<>();
        claim.put("pk", AttributeValue.fromS("sub#" + bob));
        claim.put("sk", AttributeValue.fromS(sk));
        claim.put("type", AttributeValue.fromS("BOUNCED"));
        claim.put("provider", AttributeValue.fromS(provider));
        claim.put("occurredAt", AttributeValue.fromS(at.toString()));
        claim.put("state", AttributeValue.fromS("pending"));
        claim.put("owner", AttributeValue.fromS("an-attempt-that-died"));
        claim.put("leaseUntil", AttributeValue.fromN(Long.toString(Instant.now().plusSeconds(8).toEpochMilli())));
        dynamoDb.putItem(b -> b.tableName(aws.resources().tableName("EngagementTable")).item(claim));

        enqueue(List.of(event("b1", "BOUNCED", bob)));
        await("the bounce to be applied after the lease expired", Duration.ofSeconds(90),
                () -> Map.of("bounced", 1L, "domain.other.bounced", 1L).equals(statsToday()));
        assertEquals("applied", historyItem("b1", bob).get("state").s());
        Map<String, AttributeValue> suppression = dynamoDb.getItem(b -> b.tableName(aws.resources().tableName("SuppressionsTable"))
                .key(Map.of("email", AttributeValue.fromS(bob))).consistentRead(true)).item();
        assertEquals("bounced", suppression.get("reason").s().toLowerCase(java.util.Locale.ROOT));
        assertFalse(deadLetters().stream().anyMatch(m -> m.body().contains(bob)), "not given up on");
    }

    @Test
    void aMessageThatCanNeverBeAppliedEndsInTheDeadLetterQueue() throws Exception {
        String marker = "poison-" + run;
        Map<String, Object> poison = event(marker, "NOT_A_TYPE", "carol-" + run + "@example.com");
        enqueue(List.of(poison));
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        boolean found = false;
        while (!found && System.nanoTime() < deadline) {
            found = deadLetters().stream().anyMatch(m -> m.body().contains(marker));
            if (!found) {
                Thread.sleep(500);
            }
        }
        assertTrue(found, "the unreadable message was retried, then kept in EngagementDeadLetterQueue");
    }

    private List<Message> deadLetters() {
        return sqs.receiveMessage(b -> b.queueUrl(aws.resources().queueUrl("EngagementDeadLetterQueue"))
                .maxNumberOfMessages(10).visibilityTimeout(0).waitTimeSeconds(0)).messages();
    }
}
