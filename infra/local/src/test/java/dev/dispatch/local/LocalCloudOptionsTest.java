package dev.dispatch.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalCloudOptionsTest {
    @Test
    void parsesTheCommandLine() {
        LocalCloudOptions o = new LocalCloudOptions().parseArgs("--port", "0", "--persist=/tmp/db", "--concurrency",
                "2", "--concurrency", "ApiFunction=3,SendBatchFunction=4", "--sqs-visibility-timeout", "2",
                "--no-schedules", "--parameter", "LogLevel=DEBUG", "--secret", "SendGridApiKeySecret={\"apiKey\":\"SG.x=y\"}", "-v");
        assertEquals(0, o.port());
        assertEquals(Path.of("/tmp/db"), o.persistDir());
        assertEquals(2, o.defaultConcurrency());
        assertEquals(Map.of("ApiFunction", 3, "SendBatchFunction", 4), o.concurrency());
        assertEquals(2, o.sqsVisibilityTimeoutSeconds());
        assertFalse(o.schedulesEnabled());
        assertEquals(Map.of("LogLevel", "DEBUG"), o.parameters());
        assertEquals(Map.of("SendGridApiKeySecret", "{\"apiKey\":\"SG.x=y\"}"), o.secrets());
        assertTrue(o.verbose());
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new LocalCloudOptions().parseArgs("--bogus", "1"));
        assertThrows(IllegalArgumentException.class, () -> new LocalCloudOptions().parseArgs("--port"));
        assertThrows(IllegalArgumentException.class, () -> new LocalCloudOptions().parseArgs("--concurrency", "0"));
        assertThrows(IllegalArgumentException.class, () -> new LocalCloudOptions().parseArgs("--port", "70000"));
        IllegalArgumentException secret = assertThrows(IllegalArgumentException.class,
                () -> new LocalCloudOptions().parseArgs("--secret", "sk-without-a-name"));
        assertFalse(secret.getMessage().contains("sk-without"), "a secret value was echoed");
    }

    @Test
    void theApiKeyDigestIsLowerCaseHexSha256() {
        assertEquals("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", LocalCloud.sha256Hex("hello"));
        assertEquals(64, LocalCloud.randomKey().length());
    }
}
