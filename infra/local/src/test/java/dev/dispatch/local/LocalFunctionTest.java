package dev.dispatch.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dispatch.local.testfn.SleepyHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The runtime emulation itself, with a tiny test handler instead of a Quarkus function (fast and controllable). */
class LocalFunctionTest {
    private static final String HANDLER = SleepyHandler.class.getName() + "::handleRequest";
    private static LocalFunction single;
    private static LocalFunction pair;

    @BeforeAll
    static void start() throws Exception {
        Path work = Path.of("target", "local-function-test").toAbsolutePath();
        Path taskRoot = work.resolve("task-root");
        CodePackages.deleteTree(taskRoot);
        Path classes = Path.of(SleepyHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String packagePath = SleepyHandler.class.getPackageName().replace('.', '/');
        Files.createDirectories(taskRoot.resolve(packagePath));
        try (var files = Files.list(classes.resolve(packagePath))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, taskRoot.resolve(packagePath).resolve(f.getFileName()));
            }
        }
        Map<String, String> env = Map.of("AWS_REGION", "us-east-1");
        FunctionSpec base = FunctionSpec.of("SleepyFunction", taskRoot, HANDLER).withMemoryMb(256);
        CompletableFuture<LocalFunction> a = CompletableFuture.supplyAsync(() ->
                LocalFunction.start(base.withTimeout(Duration.ofSeconds(2)), env, work, false));
        CompletableFuture<LocalFunction> b = CompletableFuture.supplyAsync(() -> LocalFunction.start(
                new FunctionSpec("PairFunction", "PairFunction", taskRoot, HANDLER, "java21", 256,
                        Duration.ofSeconds(10), Map.of(), 2, List.of()), env, work, false));
        single = a.get();
        pair = b.get();
        assertTrue(single.awaitReady(Duration.ofSeconds(60)), "single did not start: see " + single.logFile());
        assertTrue(pair.awaitReady(Duration.ofSeconds(60)), "pair did not start: see " + pair.logFile());
    }

    @AfterAll
    static void stop() {
        if (single != null) {
            single.close();
        }
        if (pair != null) {
            pair.close();
        }
    }

    private static JsonNode call(LocalFunction f, String payloadJson) {
        return Json.parse(f.invoke(payloadJson.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void invokesWithTheLambdaContext() {
        JsonNode answer = call(single, "{\"hello\":\"world\"}");
        assertEquals("world", answer.path("payload").path("hello").asText());
        assertEquals("SleepyFunction", answer.path("functionName").asText());
        long remaining = answer.path("remainingMs").asLong();
        assertTrue(remaining > 0 && remaining <= 2000, "deadline header honoured: " + remaining);
        assertTrue(single.lastInitMillis() > 0);
        assertTrue(single.peakRssBytes() > 10L * 1024 * 1024, "peak RSS read from /proc: " + single.peakRssBytes());
    }

    @Test
    void aHandlerExceptionIsAFunctionErrorAndTheProcessLivesOn() {
        call(single, "\"warm\"");
        List<Long> before = single.pids();
        FunctionErrorException e = assertThrows(FunctionErrorException.class, () -> call(single, "\"throw\""));
        assertTrue(e.errorJsonString().contains("asked to fail"), e.errorJsonString());
        assertTrue(e.errorJsonString().contains("java.lang.IllegalStateException"), e.errorJsonString());
        assertTrue(!e.errorType().isBlank() && !e.isTimeout(), e.errorType());
        assertEquals(before, single.pids());
        assertEquals("again", call(single, "\"again\"").path("payload").asText());
    }

    @Test
    void anInvocationPastTheTimeoutKillsTheProcessWhichIsRestarted() {
        long pid = call(single, "\"before\"").path("pid").asLong();
        long started = System.nanoTime();
        FunctionErrorException e = assertThrows(FunctionErrorException.class, () -> call(single, "\"sleep:20000\""));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertTrue(e.isTimeout(), e.getMessage());
        assertTrue(e.errorJsonString().contains("Task timed out after 2.00 seconds"), e.errorJsonString());
        assertTrue(tookMs >= 1900 && tookMs < 6000, "failed at the timeout, took " + tookMs + " ms");
        JsonNode after = call(single, "\"after\"");
        assertNotEquals(pid, after.path("pid").asLong(), "a fresh process");
        assertEquals("after", after.path("payload").asText());
    }

    @Test
    void aProcessDyingMidInvocationFailsItAndIsRestarted() {
        long pid = call(single, "\"before\"").path("pid").asLong();
        FunctionErrorException e = assertThrows(FunctionErrorException.class, () -> call(single, "\"halt\""));
        assertEquals("Runtime.ExitError", e.errorType());
        assertTrue(e.errorJsonString().contains("exit status 3"), e.errorJsonString());
        JsonNode after = call(single, "\"after\"");
        assertNotEquals(pid, after.path("pid").asLong());
    }

    @Test
    void anIdleProcessKilledWithSigkillLosesNoEventAndIsReplaced() throws Exception {
        long pid = call(single, "\"before\"").path("pid").asLong();
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
        Runtime.getRuntime().exec(new String[] {"kill", "-9", Long.toString(pid)}).waitFor();
        handle.onExit().get(10, TimeUnit.SECONDS);
        JsonNode after = call(single, "\"after-kill\"");
        assertEquals("after-kill", after.path("payload").asText());
        assertNotEquals(pid, after.path("pid").asLong());
    }

    @Test
    void processesOfOneFunctionShareItsRuntimeApiAndRunInParallel() throws Exception {
        long started = System.nanoTime();
        CompletableFuture<byte[]> a = pair.invokeAsync("\"sleep:1500\"".getBytes(StandardCharsets.UTF_8));
        CompletableFuture<byte[]> b = pair.invokeAsync("\"sleep:1500\"".getBytes(StandardCharsets.UTF_8));
        long pidA = Json.parse(a.get(20, TimeUnit.SECONDS)).path("pid").asLong();
        long pidB = Json.parse(b.get(20, TimeUnit.SECONDS)).path("pid").asLong();
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertNotEquals(pidA, pidB);
        assertTrue(tookMs < 2900, "ran in parallel: " + tookMs + " ms");
    }

    @Test
    void aDeathFailsOnlyTheInvocationOfTheProcessThatDied() throws Exception {
        pair.awaitReady(Duration.ofSeconds(30));
        CompletableFuture<byte[]> survivor = pair.invokeAsync("\"sleep:1500\"".getBytes(StandardCharsets.UTF_8));
        Thread.sleep(300);
        CompletableFuture<byte[]> victim = pair.invokeAsync("\"halt\"".getBytes(StandardCharsets.UTF_8));
        ExecutionException e = assertThrows(ExecutionException.class, () -> victim.get(20, TimeUnit.SECONDS));
        assertEquals("Runtime.ExitError", ((FunctionErrorException) e.getCause()).errorType());
        assertEquals("sleep:1500", Json.parse(survivor.get(20, TimeUnit.SECONDS)).path("payload").asText());
    }

    @Test
    void aPayloadOverSixMegabytesIsRefused() {
        byte[] big = new byte[6 * 1024 * 1024 + 1];
        assertThrows(PayloadTooLargeException.class, () -> single.invoke(big));
    }
}
