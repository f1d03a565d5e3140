package dev.dispatch.adapter.sqs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.TestStack;
import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementType;
import dev.dispatch.domain.subscriber.EmailAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/** The engagement queue on ElasticMQ: every event arrives, in messages SQS accepts, and reads back the same. */
class SqsEngagementQueueTest {
    private final SqsClient sqs = TestStack.aws().sqs();

    private static EngagementEvent event(int i, String detail) {
        return EngagementEvent.builder("sendgrid", "sg-" + i, EngagementType.values()[i % EngagementType.values().length],
                        EmailAddress.parse("user" + i + "@example.com"), Instant.parse("2026-12-01T10:00:00Z").plusSeconds(i))
                .correlation("cmp_abc", i % 2 == 0 ? "A" : "B", "0123456789abcdef0123456789abcdef", "cmp_abc-7")
                .url(i % 3 == 0 ? "https://example.com/?q=" + i : null)
                .detail(detail)
                .providerType("delivered")
                .build();
    }

    @Test
    void everyEventArrivesOnceInMessagesUnderTheSizeLimit() {
        String queue = sqs.createQueue(b -> b.queueName("engagement-test-" + System.nanoTime())).queueUrl();
        List<EngagementEvent> events = new ArrayList<>();
        for (int i = 0; i < 1234; i++) {
            events.add(event(i, i % 100 == 0 ? "x".repeat(EngagementEvent.MAX_DETAIL_LENGTH) : "ok"));
        }
        new SqsEngagementQueue(sqs, queue).submit(events);

        List<EngagementEvent> received = new ArrayList<>();
        int messages = 0;
        while (true) {
            List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(0)).messages();
            if (batch.isEmpty()) {
                break;
            }
            for (Message m : batch) {
                messages++;
                assertTrue(m.body().getBytes(StandardCharsets.UTF_8).length <= SqsEngagementQueue.MAX_MESSAGE_BYTES);
                received.addAll(EngagementMessage.parse(m.body()).toEvents());
                sqs.deleteMessage(b -> b.queueUrl(queue).receiptHandle(m.receiptHandle()));
            }
        }
        assertEquals(25, messages, "50 events per message");
        assertEquals(events.size(), received.size());
        assertEquals(new java.util.HashSet<>(events), new java.util.HashSet<>(received));
    }

    @Test
    void largeEventsAreSplitUntilEachMessageFits() {
        List<EngagementEvent> events = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String longUrl = "https://example.com/" + "p".repeat(7000) + i;
            events.add(EngagementEvent.builder("generic", "g-" + i, EngagementType.CLICKED,
                    EmailAddress.parse("u" + i + "@example.com"), Instant.EPOCH).url(longUrl).build());
        }
        List<String> bodies = SqsEngagementQueue.bodies(events);
        assertTrue(bodies.size() > 1);
        assertTrue(bodies.stream().allMatch(b -> b.getBytes(StandardCharsets.UTF_8).length <= SqsEngagementQueue.MAX_MESSAGE_BYTES));
        assertEquals(50, bodies.stream().mapToInt(b -> EngagementMessage.parse(b).events().size()).sum());
    }

    @Test
    void aMessageThatIsNotOursIsRefusedWithAReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngagementMessage.parse("{\"events\":[{\"type\":\"NOPE\",\"recipient\":\"a@example.com\","
                        + "\"occurredAt\":\"2026-12-01T10:00:00Z\",\"provider\":\"x\",\"providerEventId\":\"1\"}]}").toEvents());
        assertTrue(e.getMessage().contains("NOPE"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EngagementMessage.parse("not json"));
    }
}
