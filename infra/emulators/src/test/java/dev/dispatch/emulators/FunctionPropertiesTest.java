package dev.dispatch.emulators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What every function's application.properties must say, whatever else it configures. */
class FunctionPropertiesTest {
    /**
     * Loggers that print request headers or bodies (provider keys, AWS signatures and session tokens, addresses) at
     * DEBUG or through a JDK debug switch, and the most they may log.
     */
    static final Map<String, String> PINNED = Map.of(
            "org.apache.http.wire", "OFF",
            "org.apache.http.headers", "OFF",
            "org.apache.http", "INFO",
            "sun.net.www.protocol.http.HttpURLConnection", "INFO",
            "jdk.httpclient.HttpClient", "OFF",
            "jdk.internal.httpclient", "OFF",
            "software.amazon.awssdk", "INFO");

    private static List<Path> functionProperties() throws IOException {
        try (Stream<Path> modules = Files.list(ProjectLayout.root().resolve("functions"))) {
            return modules.map(m -> m.resolve("src/main/resources/application.properties"))
                    .filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static Properties load(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        return properties;
    }

    @Test
    void everyFunctionPinsHttpClientWireAndHeaderLoggingOff() throws IOException {
        List<Path> files = functionProperties();
        assertTrue(files.size() >= 7, files.toString());
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            Properties properties = load(file);
            PINNED.forEach((category, level) -> {
                String key = "quarkus.log.category.\"" + category + "\".level";
                if (!level.equals(properties.getProperty(key))) {
                    problems.add(file + ": " + key + " is " + properties.getProperty(key) + ", must be " + level);
                }
            });
            // a profile-scoped override would switch it back on (e.g. %prod.quarkus.log.category."org.apache.http.wire")
            properties.stringPropertyNames().stream()
                    .filter(k -> k.startsWith("%") && PINNED.keySet().stream().anyMatch(c -> k.contains("\"" + c + "\"")))
                    .forEach(k -> problems.add(file + ": " + k + " overrides a pinned logger"));
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void testOnlySwitchesAreDefinedUnderTheTestProfileOnly() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path file : functionProperties()) {
            for (String key : load(file).stringPropertyNames()) {
                boolean testOnly = key.contains("dispatch.webhooks.test.") || key.contains("dispatch.warming.test.")
                        || key.contains("dispatch.enqueue.test.")
                        || key.contains("verify-at")
                        || key.contains("sns-confirm-base-url") || key.contains("sns-certificate-dir")
                        || key.contains("sns-trust-anchor");
                if (testOnly && !key.startsWith("%test.")) {
                    problems.add(file + ": " + key + " is a test-only switch outside %test.");
                }
            }
        }
        assertEquals(List.of(), problems);
    }
}
