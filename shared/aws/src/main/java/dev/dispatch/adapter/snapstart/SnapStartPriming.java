package dev.dispatch.adapter.snapstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * SnapStart priming, as the Quarkus SnapStart guide describes it (a CRaC {@link Resource} whose
 * {@link #beforeCheckpoint} runs before Lambda takes the snapshot of a published version): the first AWS SDK calls
 * (request marshalling, signing, the HTTP client, TLS, response parsing) and the first Jackson round trip load and
 * initialize hundreds of classes; done here, they are in the snapshot instead of in every restored environment's first
 * invocation. Each function registers one at init with the clients it uses.
 *
 * <p>Nothing read here is kept: the calls read a key that is never written and a queue's depth, and their answers are
 * dropped (where the function's role does not allow the call, AWS refuses it, which primes the client just the same).
 * A primer that fails is logged and skipped: priming must never stop a version from being published. Outside SnapStart
 * (the local cloud, on-demand init) {@code beforeCheckpoint} is never called and this costs nothing.
 */
public final class SnapStartPriming implements Resource {
    private static final Logger LOG = Logger.getLogger(SnapStartPriming.class.getName());
    /** A key no code writes: the read finds nothing. */
    static final String PRIMING_KEY = "snapstart#priming";

    /** One piece of priming; its name goes into the log when it fails. */
    public record Primer(String name, Runnable action) {
    }

    private final List<Primer> primers;
    private volatile int ran;

    public SnapStartPriming(List<Primer> primers) {
        this.primers = List.copyOf(primers);
    }

    /**
     * Registers the primers with the global CRaC context (held strongly here: CRaC keeps only weak references to
     * its resources, and a collected resource is never called).
     */
    public static SnapStartPriming register(Primer... primers) {
        SnapStartPriming priming = new SnapStartPriming(List.of(primers));
        Registered.ALL.add(priming);
        Core.getGlobalContext().register(priming);
        return priming;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        runAll();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to redo: the SDK clients re-open connections as needed, secrets are re-read once older than their
        // refresh interval (wall-clock age, so a snapshot restored days later refreshes at once).
    }

    /** Runs every primer, each on its own: one failing does not stop the others. Returns how many succeeded. */
    int runAll() {
        int ok = 0;
        for (Primer p : primers) {
            try {
                p.action().run();
                ok++;
            } catch (RuntimeException e) {
                LOG.log(Level.INFO, "SnapStart priming: " + p.name() + " failed (" + e.getClass().getSimpleName()
                        + "); the first invocation will do it instead");
            }
        }
        ran = ok;
        return ok;
    }

    int succeeded() {
        return ran;
    }

    /** A GetItem of a key that is never written ({@code pk}/{@code sk} = snapstart#priming) in {@code table}. */
    public static Primer dynamoDb(DynamoDbClient dynamoDb, String table, String... keyAttributes) {
        return new Primer("DynamoDB GetItem on " + table, () -> {
            Map<String, AttributeValue> key = new java.util.LinkedHashMap<>();
            for (String attribute : keyAttributes) {
                key.put(attribute, AttributeValue.fromS(PRIMING_KEY));
            }
            try {
                dynamoDb.getItem(b -> b.tableName(table).key(key));
            } catch (software.amazon.awssdk.core.exception.SdkServiceException refused) {
                // refused (no permission on this table): the client's whole path ran all the same
            }
        });
    }

    /** The depth of {@code queueUrl} (GetQueueAttributes). */
    public static Primer sqs(SqsClient sqs, String queueUrl) {
        return new Primer("SQS GetQueueAttributes", () -> {
            try {
                sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
            } catch (software.amazon.awssdk.core.exception.SdkServiceException refused) {
                // refused (no permission on this queue): the client's whole path ran all the same
            }
        });
    }

    /** A Jackson round trip of an SQS-shaped event (tree, maps, strings, numbers, booleans) with {@code mapper}. */
    public static Primer jackson(ObjectMapper mapper) {
        return new Primer("Jackson round trip", () -> {
            try {
                JsonNode tree = mapper.readTree("{\"Records\":[{\"messageId\":\"m\",\"body\":\"{\\\"events\\\":[]}\","
                        + "\"attributes\":{\"ApproximateReceiveCount\":\"1\"},\"md5OfBody\":\"x\",\"eventSource\":\"aws:sqs\"}],"
                        + "\"n\":1,\"ok\":true,\"x\":1.5,\"none\":null}");
                Map<?, ?> map = mapper.treeToValue(tree, Map.class);
                mapper.writeValueAsBytes(map);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** Strong references to the registered resources (see {@link #register}). */
    private static final class Registered {
        static final List<SnapStartPriming> ALL = new java.util.concurrent.CopyOnWriteArrayList<>();
    }
}
