package dev.dispatch.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * A Lambda event source mapping for one queue: pollers receive batches (BatchSize, MaximumBatchingWindowInSeconds),
 * invoke the function with an SQS event and delete what succeeded. With ReportBatchItemFailures, the records the
 * function names in {@code batchItemFailures} stay on the queue; an invocation error leaves the whole batch. What
 * stays becomes visible again after the visibility timeout and finally moves to the dead-letter queue by the
 * queue's RedrivePolicy: nothing is re-sent by the poller.
 */
public final class SqsEventSource implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SqsEventSource.class.getName());
    private static final int MAX_WAIT_SECONDS = 10;

    /**
     * One {@code Type: SQS} event of a function.
     *
     * @param maximumConcurrency {@code ScalingConfig.MaximumConcurrency}: the most invocations at once, or null
     */
    public record Mapping(String functionLogicalId, String eventName, String queueLogicalId, String queueUrl,
            String queueArn, int batchSize, int maximumBatchingWindowSeconds, boolean reportBatchItemFailures,
            boolean enabled, Integer maximumConcurrency) {

        public Mapping withBatchSize(int messages) {
            return new Mapping(functionLogicalId, eventName, queueLogicalId, queueUrl, queueArn, messages,
                    maximumBatchingWindowSeconds, reportBatchItemFailures, enabled, maximumConcurrency);
        }

        /** Pollers for a function of {@code processes} processes: one per invocation at a time, capped as declared. */
        public int pollers(int processes) {
            return maximumConcurrency == null ? processes : Math.max(1, Math.min(processes, maximumConcurrency));
        }
    }

    private final Mapping mapping;
    private final LocalFunction function;
    private final SqsClient sqs;
    private final String region;
    private final Integer visibilityTimeoutOverride;
    private final boolean verbose;
    private final List<Thread> pollers = new ArrayList<>();
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong receiveCalls = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong emptyReceives = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong deleteCalls = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong invokeNanos = new java.util.concurrent.atomic.AtomicLong();

    SqsEventSource(Mapping mapping, LocalFunction function, SqsClient sqs, String region,
            Integer visibilityTimeoutOverride, boolean verbose) {
        this.mapping = mapping;
        this.function = function;
        this.sqs = sqs;
        this.region = region;
        this.visibilityTimeoutOverride = visibilityTimeoutOverride;
        this.verbose = verbose;
    }

    public Mapping mapping() {
        return mapping;
    }

    /** SQS API calls this mapping made so far (ReceiveMessage, of them empty, DeleteMessageBatch) and its invocations' time. */
    public record Calls(long receiveMessage, long emptyReceives, long deleteMessageBatch, long invokeNanos) {
    }

    public Calls calls() {
        return new Calls(receiveCalls.get(), emptyReceives.get(), deleteCalls.get(), invokeNanos.get());
    }

    void start(int pollerCount) {
        for (int i = 0; i < pollerCount; i++) {
            Thread t = new Thread(this::pollLoop, "sqs-" + mapping.functionLogicalId() + "-" + mapping.eventName() + "-" + i);
            t.setDaemon(true);
            pollers.add(t);
            t.start();
        }
    }

    private void pollLoop() {
        while (!closed) {
            try {
                List<Message> batch = receiveBatch();
                if (!batch.isEmpty() && !closed) {
                    for (List<Message> chunk : chunksUnderPayloadLimit(batch)) {
                        process(chunk);
                    }
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.log(Level.WARNING, "SQS poller of " + mapping.functionLogicalId() + " on " + mapping.queueLogicalId()
                        + " failed; retrying in 1 s", e);
                sleep(1000);
            }
        }
    }

    private List<Message> receiveBatch() {
        List<Message> batch = new ArrayList<>();
        long windowEnd = 0;
        while (!closed && batch.size() < mapping.batchSize()) {
            int wait;
            if (batch.isEmpty()) {
                wait = MAX_WAIT_SECONDS;
            } else {
                long left = windowEnd - System.currentTimeMillis();
                if (left <= 0) {
                    break;
                }
                wait = (int) Math.min(MAX_WAIT_SECONDS, (left + 999) / 1000);
            }
            ReceiveMessageRequest.Builder request = ReceiveMessageRequest.builder()
                    .queueUrl(mapping.queueUrl())
                    .maxNumberOfMessages(Math.min(10, mapping.batchSize() - batch.size()))
                    .waitTimeSeconds(wait)
                    .messageSystemAttributeNamesWithStrings("All")
                    .messageAttributeNames("All");
            if (visibilityTimeoutOverride != null) {
                request.visibilityTimeout(visibilityTimeoutOverride);
            }
            List<Message> received = sqs.receiveMessage(request.build()).messages();
            receiveCalls.incrementAndGet();
            if (received.isEmpty()) {
                emptyReceives.incrementAndGet();
            }
            if (received.isEmpty() && batch.isEmpty()) {
                continue;
            }
            if (batch.isEmpty()) {
                windowEnd = System.currentTimeMillis() + mapping.maximumBatchingWindowSeconds() * 1000L;
            }
            batch.addAll(received);
            if (mapping.maximumBatchingWindowSeconds() == 0) {
                break;
            }
        }
        return batch;
    }

    private List<List<Message>> chunksUnderPayloadLimit(List<Message> batch) {
        List<List<Message>> chunks = new ArrayList<>();
        List<Message> current = new ArrayList<>();
        long size = 64;
        for (Message m : batch) {
            long approx = 1024 + (long) m.body().length() * 2;
            if (!current.isEmpty() && size + approx > RuntimeApiServer.MAX_PAYLOAD_BYTES) {
                chunks.add(current);
                current = new ArrayList<>();
                size = 64;
            }
            current.add(m);
            size += approx;
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }

    private void process(List<Message> batch) {
        byte[] event = Json.bytes(event(batch));
        byte[] response;
        long invokeStart = System.nanoTime();
        try {
            response = function.invoke(event);
        } catch (FunctionErrorException e) {
            LOG.warning(mapping.functionLogicalId() + " failed on a batch of " + batch.size() + " from "
                    + mapping.queueLogicalId() + " (" + e.errorType() + "): the batch stays on the queue. "
                    + e.errorJsonString());
            return;
        } catch (PayloadTooLargeException e) {
            LOG.warning(mapping.functionLogicalId() + ": SQS batch over the payload limit, left on the queue: "
                    + e.getMessage());
            return;
        } finally {
            invokeNanos.addAndGet(System.nanoTime() - invokeStart);
        }
        List<Message> done = new ArrayList<>(batch);
        if (mapping.reportBatchItemFailures()) {
            Set<String> failed = failedIds(response, batch);
            if (failed == null) {
                LOG.warning(mapping.functionLogicalId() + " returned an invalid batchItemFailures response; the whole"
                        + " batch stays on " + mapping.queueLogicalId() + ": "
                        + new String(response, StandardCharsets.UTF_8));
                return;
            }
            if (!failed.isEmpty()) {
                LOG.info(mapping.functionLogicalId() + " reported " + failed.size() + " of " + batch.size()
                        + " records failed; they stay on " + mapping.queueLogicalId() + ": " + failed);
            }
            done.removeIf(m -> failed.contains(m.messageId()));
        }
        delete(done);
        if (verbose) {
            System.out.printf("[sqs] %s <- %s: %d records, %d deleted%n", mapping.functionLogicalId(),
                    mapping.queueLogicalId(), batch.size(), done.size());
        }
    }

    /** The failed message ids, empty when all succeeded, null for an invalid response (all failed). */
    static Set<String> failedIds(byte[] response, List<Message> batch) {
        Set<String> ids = new HashSet<>();
        batch.forEach(m -> ids.add(m.messageId()));
        String text = new String(response, StandardCharsets.UTF_8).trim();
        if (text.isEmpty() || text.equals("null")) {
            return Set.of();
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(text);
        } catch (Exception e) {
            return null;
        }
        if (node == null || node.isNull()) {
            return Set.of();
        }
        if (!node.isObject()) {
            return null;
        }
        JsonNode failures = node.get("batchItemFailures");
        if (failures == null || failures.isNull()) {
            return Set.of();
        }
        if (!failures.isArray()) {
            return null;
        }
        Set<String> failed = new HashSet<>();
        for (JsonNode failure : failures) {
            JsonNode id = failure.get("itemIdentifier");
            if (id == null || !id.isTextual() || id.asText().isEmpty() || !ids.contains(id.asText())) {
                return null;
            }
            failed.add(id.asText());
        }
        return failed;
    }

    private void delete(List<Message> messages) {
        for (int i = 0; i < messages.size(); i += 10) {
            List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
            List<Message> slice = messages.subList(i, Math.min(messages.size(), i + 10));
            for (int j = 0; j < slice.size(); j++) {
                entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(j))
                        .receiptHandle(slice.get(j).receiptHandle()).build());
            }
            DeleteMessageBatchResponse result = sqs.deleteMessageBatch(b -> b.queueUrl(mapping.queueUrl()).entries(entries));
            deleteCalls.incrementAndGet();
            if (result.hasFailed() && !result.failed().isEmpty()) {
                LOG.warning("Could not delete processed messages from " + mapping.queueLogicalId() + ": " + result.failed());
            }
        }
    }

    ObjectNode event(List<Message> batch) {
        ObjectNode event = Json.object();
        ArrayNode records = event.putArray("Records");
        for (Message m : batch) {
            ObjectNode r = records.addObject();
            r.put("messageId", m.messageId());
            r.put("receiptHandle", m.receiptHandle());
            r.put("body", m.body());
            ObjectNode attributes = r.putObject("attributes");
            Map<String, String> system = new LinkedHashMap<>(m.attributesAsStrings());
            attributes.put("ApproximateReceiveCount", system.getOrDefault("ApproximateReceiveCount", "1"));
            attributes.put("SentTimestamp", system.getOrDefault("SentTimestamp",
                    Long.toString(System.currentTimeMillis())));
            attributes.put("SenderId", system.getOrDefault("SenderId", "AIDAIENQZJOLO23YVJ4VO"));
            attributes.put("ApproximateFirstReceiveTimestamp", system.getOrDefault("ApproximateFirstReceiveTimestamp",
                    Long.toString(System.currentTimeMillis())));
            system.forEach((k, v) -> {
                if (!attributes.has(k)) {
                    attributes.put(k, v);
                }
            });
            ObjectNode messageAttributes = r.putObject("messageAttributes");
            for (Map.Entry<String, MessageAttributeValue> a : m.messageAttributes().entrySet()) {
                MessageAttributeValue v = a.getValue();
                ObjectNode value = messageAttributes.putObject(a.getKey());
                if (v.stringValue() != null) {
                    value.put("stringValue", v.stringValue());
                }
                if (v.binaryValue() != null) {
                    value.put("binaryValue", Base64.getEncoder().encodeToString(v.binaryValue().asByteArray()));
                }
                ArrayNode strings = value.putArray("stringListValues");
                if (v.hasStringListValues()) {
                    v.stringListValues().forEach(strings::add);
                }
                ArrayNode binaries = value.putArray("binaryListValues");
                if (v.hasBinaryListValues()) {
                    v.binaryListValues().forEach(b -> binaries.add(Base64.getEncoder().encodeToString(b.asByteArray())));
                }
                value.put("dataType", v.dataType());
            }
            r.put("md5OfBody", m.md5OfBody());
            if (m.md5OfMessageAttributes() != null) {
                r.put("md5OfMessageAttributes", m.md5OfMessageAttributes());
            }
            r.put("eventSource", "aws:sqs");
            r.put("eventSourceARN", mapping.queueArn());
            r.put("awsRegion", region);
        }
        return event;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : pollers) {
            t.interrupt();
        }
    }
}
