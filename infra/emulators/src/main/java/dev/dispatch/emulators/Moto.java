package dev.dispatch.emulators;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Secrets Manager stand-in: moto's server ({@code python3 -m moto.server}) as a child process on 127.0.0.1 and a
 * free port. moto is not installed by the build: it comes with the machine's Python ({@code -Ddispatch.python} names
 * another interpreter). State lives in memory and goes with the process.
 */
public final class Moto implements AutoCloseable {

    static final String PYTHON_PROPERTY = "dispatch.python";
    /** moto's default account, in the ARNs it makes. */
    public static final String ACCOUNT_ID = "123456789012";

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final NodeProcess process;

    private Moto(NodeProcess process) {
        this.process = process;
    }

    public static Moto start() {
        String python = python();
        requireMoto(python);
        return new Moto(NodeProcess.startCommand("moto", Path.of(System.getProperty("java.io.tmpdir")),
                List.of(python, "-m", "moto.server", "-H", "127.0.0.1", "-p", "{port}"), Map.of(),
                Duration.ofSeconds(30), port -> {
                    HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/moto-api/data.json"))
                            .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
                    return r.statusCode() == 200;
                }));
    }

    /** Fails with what to do when the interpreter or its moto package is missing, before anything is started. */
    private static void requireMoto(String python) {
        String problem;
        try {
            Process check = new ProcessBuilder(python, "-c", "import moto.server").redirectErrorStream(true).start();
            byte[] output = check.getInputStream().readAllBytes();
            if (!check.waitFor(30, TimeUnit.SECONDS)) {
                check.destroyForcibly();
                problem = "`" + python + " -c \"import moto.server\"` did not finish within 30 s";
            } else if (check.exitValue() != 0) {
                String text = new String(output, StandardCharsets.UTF_8).strip();
                problem = "`" + python + " -c \"import moto.server\"` failed: "
                        + text.substring(Math.max(0, text.length() - 300));
            } else {
                return;
            }
        } catch (IOException e) {
            problem = "`" + python + "` can't be run (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        throw new IllegalStateException("The local Secrets Manager stand-in needs moto's server (Python 3 with the moto "
                + "package and its server extras, e.g. moto 5.x): " + problem + ". Install it (pip install 'moto[server]'), "
                + "or point -D" + PYTHON_PROPERTY + " at a Python that has it.");
    }

    private static String python() {
        String explicit = System.getProperty(PYTHON_PROPERTY);
        return explicit != null && !explicit.isBlank() ? explicit : "python3";
    }

    /** {@code http://127.0.0.1:<port>} */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + process.port());
    }

    /** The python process (to check it is gone after close()). */
    public ProcessHandle processHandle() {
        return process.handle();
    }

    @Override
    public void close() {
        process.close();
    }
}
