package dev.dispatch.adapter.sqs;

import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/** SendMessageBatch until every entry is accepted: SQS may refuse some entries of a call and accept the rest. */
final class SqsBatches {
    private static final int MAX_ATTEMPTS = 5;

    private SqsBatches() {}

    /** Returns when SQS accepted every entry; throws (naming {@code what}) when some still fail after retries. */
    static void sendAll(SqsClient sqs, String queueUrl, List<SendMessageBatchRequestEntry> batch, String what) {
        List<SendMessageBatchRequestEntry> entries = batch;
        for (int attempt = 1; !entries.isEmpty(); attempt++) {
            List<SendMessageBatchRequestEntry> request = entries;
            SendMessageBatchResponse response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(request));
            if (response.failed().isEmpty()) {
                return;
            }
            if (attempt == MAX_ATTEMPTS) {
                throw new IllegalStateException(response.failed().size() + " " + what + " could not be queued: "
                        + response.failed().get(0).code());
            }
            List<String> failedIds = response.failed().stream().map(f -> f.id()).toList();
            entries = request.stream().filter(e -> failedIds.contains(e.id())).toList();
        }
    }
}
