package dev.dispatch.adapter.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Counts the AWS API calls of this process, for the campaign benchmark. Registered for every SDK client through the
 * SDK's global interceptor file ({@code software/amazon/awssdk/global/handlers/execution.interceptors} in this
 * jar), and active only when the environment variable {@value #ENV} names a directory: then every call is counted
 * per service and operation (calls, HTTP attempts, failures), DynamoDB requests ask for their consumed capacity
 * ({@code ReturnConsumedCapacity=TOTAL}, the only change made to a request) and the counts are written every half
 * second to {@code <dir>/<function name>-<pid>.counts} (Java properties, replaced atomically). When the variable is
 * not set every hook returns at its first line.
 */
public final class AwsCallCounter implements ExecutionInterceptor {
    public static final String ENV = "DISPATCH_COUNT_AWS_CALLS";

    private static final Recorder RECORDER = Recorder.fromEnvironment();

    /** Whether this process counts (the variable was set when the class was loaded). */
    public static boolean active() {
        return RECORDER != null;
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        if (RECORDER == null) {
            return request;
        }
        return withConsumedCapacity(request);
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        if (RECORDER == null) {
            return;
        }
        RECORDER.add(key(attributes) + ".attempts", 1);
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        if (RECORDER == null) {
            return;
        }
        String key = key(attributes);
        RECORDER.add(key + ".calls", 1);
        double capacity = consumedCapacity(context.response());
        if (capacity > 0) {
            RECORDER.addCapacity(key + ".capacity", capacity);
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        if (RECORDER == null) {
            return;
        }
        String key = key(attributes);
        RECORDER.add(key + ".calls", 1);
        RECORDER.add(key + ".failures", 1);
    }

    private static String key(ExecutionAttributes attributes) {
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        return (service == null ? "unknown" : service) + "." + (operation == null ? "unknown" : operation);
    }

    private static SdkRequest withConsumedCapacity(SdkRequest request) {
        ReturnConsumedCapacity total = ReturnConsumedCapacity.TOTAL;
        if (request instanceof GetItemRequest r && r.returnConsumedCapacity() == null) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        }
        if (request instanceof PutItemRequest r && r.returnConsumedCapacity() == null) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        }
        if (request instanceof UpdateItemRequest r && r.returnConsumedCapacity() == null) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        }
        if (request instanceof DeleteItemRequest r && r.returnConsumedCapacity() == null) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        }
        if (request instanceof QueryRequest r && r.returnConsumedCapacity() == null) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        }
        if (request instanceof ScanRequest r && r.returnConsumedCapacity() == null) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        }
        if (request instanceof BatchGetItemRequest r && r.returnConsumedCapacity() == null) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        }
        if (request instanceof BatchWriteItemRequest r && r.returnConsumedCapacity() == null) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        }
        if (request instanceof TransactWriteItemsRequest r && r.returnConsumedCapacity() == null) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        }
        if (request instanceof TransactGetItemsRequest r && r.returnConsumedCapacity() == null) {
            return r.toBuilder().returnConsumedCapacity(total).build();
        }
        return request;
    }

    private static double consumedCapacity(SdkResponse response) {
        if (response == null) {
            return 0;
        }
        Object value;
        try {
            value = response.getValueForField("ConsumedCapacity", Object.class).orElse(null);
        } catch (RuntimeException e) {
            return 0;
        }
        if (value instanceof ConsumedCapacity c) {
            return c.capacityUnits() == null ? 0 : c.capacityUnits();
        }
        if (value instanceof List<?> list) {
            double sum = 0;
            for (Object o : list) {
                if (o instanceof ConsumedCapacity c && c.capacityUnits() != null) {
                    sum += c.capacityUnits();
                }
            }
            return sum;
        }
        return 0;
    }

    /** The counts of this process and their file. */
    private static final class Recorder {
        private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
        private final Map<String, DoubleAdder> capacities = new ConcurrentHashMap<>();
        private final AtomicLong changes = new AtomicLong();
        private final Path file;
        private long written = -1;

        private Recorder(Path file) {
            this.file = file;
        }

        static Recorder fromEnvironment() {
            String dir = System.getenv(ENV);
            if (dir == null || dir.isBlank()) {
                return null;
            }
            String function = System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_NAME", "process");
            Path file = Path.of(dir).resolve(function + "-" + ProcessHandle.current().pid() + ".counts");
            Recorder recorder = new Recorder(file);
            Thread flusher = new Thread(recorder::flushLoop, "aws-call-counter");
            flusher.setDaemon(true);
            flusher.start();
            Runtime.getRuntime().addShutdownHook(new Thread(recorder::flush, "aws-call-counter-final"));
            return recorder;
        }

        void add(String key, long n) {
            counts.computeIfAbsent(key, k -> new LongAdder()).add(n);
            changes.incrementAndGet();
        }

        void addCapacity(String key, double units) {
            capacities.computeIfAbsent(key, k -> new DoubleAdder()).add(units);
            changes.incrementAndGet();
        }

        private void flushLoop() {
            while (true) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
                flush();
            }
        }

        synchronized void flush() {
            long now = changes.get();
            if (now == written) {
                return;
            }
            Map<String, String> lines = new TreeMap<>();
            counts.forEach((k, v) -> lines.put(k, Long.toString(v.sum())));
            capacities.forEach((k, v) -> lines.put(k, Double.toString(v.sum())));
            StringBuilder text = new StringBuilder();
            lines.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            try {
                Files.createDirectories(file.getParent());
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                written = now;
            } catch (IOException | RuntimeException e) {
                // counting must never break a function; the next flush tries again
            }
        }
    }
}
