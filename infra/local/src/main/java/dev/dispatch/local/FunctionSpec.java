package dev.dispatch.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What Lambda needs to run one function: its code (a {@code function.zip} or an unpacked folder), handler, memory,
 * timeout and environment. {@link LocalCloud} reads these from template.yaml; tests can build their own.
 *
 * @param logicalId    the template's logical id (e.g. {@code ApiFunction})
 * @param functionName AWS_LAMBDA_FUNCTION_NAME (FunctionName from the template, else the logical id)
 * @param code         the deployment package: a zip file or a folder laid out like an unpacked one
 * @param handler      the handler string (e.g. {@code io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest})
 * @param runtime      the managed runtime id (e.g. {@code java21}); reported as AWS_EXECUTION_ENV
 * @param memoryMb     MemorySize; the heap is 85% of it
 * @param timeout      Timeout: an invocation running longer is killed with its process
 * @param environment  the function's environment variables (template Environment, resolved)
 * @param concurrency  how many runtime processes poll this function's Runtime API
 * @param jvmOptions   extra JVM options for the function processes (e.g. a debugger agent)
 */
public record FunctionSpec(String logicalId, String functionName, Path code, String handler, String runtime,
        int memoryMb, Duration timeout, Map<String, String> environment, int concurrency, List<String> jvmOptions) {

    public FunctionSpec {
        Objects.requireNonNull(logicalId, "logicalId");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(handler, "handler");
        functionName = functionName == null || functionName.isBlank() ? logicalId : functionName;
        runtime = runtime == null || runtime.isBlank() ? "java21" : runtime;
        if (memoryMb < 128) {
            throw new IllegalArgumentException("MemorySize must be at least 128 MB: " + memoryMb);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("Timeout must be positive: " + timeout);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
        }
        environment = Map.copyOf(environment == null ? Map.of() : environment);
        jvmOptions = List.copyOf(jvmOptions == null ? List.of() : jvmOptions);
    }

    /** A function with this project's Globals defaults: runtime java21, 512 MB, 30 s, one process. */
    public static FunctionSpec of(String logicalId, Path code, String handler) {
        return new FunctionSpec(logicalId, logicalId, code, handler, "java21", 512, Duration.ofSeconds(30), Map.of(), 1,
                List.of());
    }

    public FunctionSpec withTimeout(Duration newTimeout) {
        return new FunctionSpec(logicalId, functionName, code, handler, runtime, memoryMb, newTimeout, environment,
                concurrency, jvmOptions);
    }

    public FunctionSpec withConcurrency(int newConcurrency) {
        return new FunctionSpec(logicalId, functionName, code, handler, runtime, memoryMb, timeout, environment,
                newConcurrency, jvmOptions);
    }

    public FunctionSpec withMemoryMb(int newMemoryMb) {
        return new FunctionSpec(logicalId, functionName, code, handler, runtime, newMemoryMb, timeout, environment,
                concurrency, jvmOptions);
    }

    public FunctionSpec withJvmOptions(List<String> options) {
        return new FunctionSpec(logicalId, functionName, code, handler, runtime, memoryMb, timeout, environment,
                concurrency, options);
    }

    /** This spec with {@code extra} variables added (they win over existing ones). */
    public FunctionSpec withEnvironment(Map<String, String> extra) {
        Map<String, String> merged = new LinkedHashMap<>(environment);
        merged.putAll(extra);
        return new FunctionSpec(logicalId, functionName, code, handler, runtime, memoryMb, timeout, merged,
                concurrency, jvmOptions);
    }

    /** The heap Lambda's Java runtime gives a function: 85% of its memory. */
    public int heapMb() {
        return Math.max(64, memoryMb * 85 / 100);
    }
}
