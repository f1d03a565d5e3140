package dev.dispatch.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/** How a function's answer decides which records stay on the queue (Lambda's ReportBatchItemFailures rules). */
class SqsEventSourceTest {
    private final List<Message> batch = List.of(Message.builder().messageId("m1").build(),
            Message.builder().messageId("m2").build());

    private Set<String> failed(String response) {
        return SqsEventSource.failedIds(response.getBytes(StandardCharsets.UTF_8), batch);
    }

    @Test
    void emptyAndNullAnswersMeanEverythingSucceeded() {
        assertEquals(Set.of(), failed(""));
        assertEquals(Set.of(), failed("null"));
        assertEquals(Set.of(), failed("{}"));
        assertEquals(Set.of(), failed("{\"batchItemFailures\":[]}"));
        assertEquals(Set.of(), failed("{\"batchItemFailures\":null}"));
    }

    @Test
    void namedRecordsFail() {
        assertEquals(Set.of("m2"), failed("{\"batchItemFailures\":[{\"itemIdentifier\":\"m2\"}]}"));
    }

    @Test
    void maximumConcurrencyCapsThePollersNotTheOtherWayRound() {
        SqsEventSource.Mapping capped = new SqsEventSource.Mapping("F", "E", "Q", "url", "arn", 10, 0, true, true, 2);
        SqsEventSource.Mapping free = new SqsEventSource.Mapping("F", "E", "Q", "url", "arn", 10, 0, true, true, null);
        assertEquals(2, capped.pollers(4));
        assertEquals(1, capped.pollers(1));
        assertEquals(4, free.pollers(4));
    }

    @Test
    void anInvalidAnswerFailsTheWholeBatch() {
        assertNull(failed("{\"batchItemFailures\":[{\"itemIdentifier\":\"unknown\"}]}"));
        assertNull(failed("{\"batchItemFailures\":[{\"itemIdentifier\":\"\"}]}"));
        assertNull(failed("{\"batchItemFailures\":[{}]}"));
        assertNull(failed("{\"batchItemFailures\":\"m1\"}"));
        assertNull(failed("[1]"));
        assertNull(failed("not json"));
    }
}
