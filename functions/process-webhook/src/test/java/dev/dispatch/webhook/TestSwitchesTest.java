package dev.dispatch.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The test-only switches against the function's own application.properties and an environment that sets every one
 * of them (under their documented names and under the names a property would map to): only the test profile reads
 * them.
 */
class TestSwitchesTest {
    private static final Map<String, String> ENVIRONMENT = environment();

    private static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("WEBHOOK_VERIFY_AT", "2026-12-01T10:00:30Z");
        env.put("SNS_CONFIRM_BASE_URL", "http://127.0.0.1:9");
        env.put("SNS_CERTIFICATE_DIR", "/tmp/certificates");
        env.put("SNS_TEST_TRUST_ANCHOR", "/tmp/ca.pem");
        // what SmallRye would map straight onto the properties, bypassing application.properties
        env.put("DISPATCH_WEBHOOKS_TEST_VERIFY_AT", "2026-12-01T10:00:30Z");
        env.put("DISPATCH_WEBHOOKS_TEST_SNS_CONFIRM_BASE_URL", "http://127.0.0.1:9");
        env.put("DISPATCH_WEBHOOKS_TEST_SNS_CERTIFICATE_DIR", "/tmp/certificates");
        env.put("DISPATCH_WEBHOOKS_TEST_SNS_TRUST_ANCHOR", "/tmp/ca.pem");
        // and the names of the properties before they moved under the test profile
        env.put("DISPATCH_WEBHOOKS_VERIFY_AT", "2026-12-01T10:00:30Z");
        env.put("DISPATCH_WEBHOOKS_SNS_CONFIRM_BASE_URL", "http://127.0.0.1:9");
        env.put("DISPATCH_WEBHOOKS_SNS_CERTIFICATE_DIR", "/tmp/certificates");
        return Map.copyOf(env);
    }

    /** Config as the packaged function builds it: application.properties, the environment, the given profile. */
    private static SmallRyeConfig config(String profile) throws IOException {
        URL properties = TestSwitchesTest.class.getResource("/application.properties");
        return new SmallRyeConfigBuilder()
                .withProfile(profile)
                .withSources(new PropertiesConfigSource(properties, 250))
                // environment variables as a source of their own, at the environment's ordinal (300)
                .withSources(new io.smallrye.config.EnvConfigSource(ENVIRONMENT, 300))
                .build();
    }

    @Test
    void givenEverySwitchSetInTheEnvironment_whenTheProfileIsProd_thenNoneHasAnyEffect() throws IOException {
        assertEquals(TestSwitches.NONE, TestSwitches.from(config("prod"), ENVIRONMENT));
        assertEquals(TestSwitches.NONE, TestSwitches.from(config("dev"), ENVIRONMENT));
    }

    @Test
    void givenTheTestProfile_thenTheSwitchesComeFromTheirVariables() throws IOException {
        TestSwitches switches = TestSwitches.from(config("test"), ENVIRONMENT);
        assertEquals(Optional.of(Instant.parse("2026-12-01T10:00:30Z")), switches.verifyAt());
        assertEquals(Optional.of(URI.create("http://127.0.0.1:9")), switches.confirmBaseUrl());
        assertEquals(Optional.of(Path.of("/tmp/certificates")), switches.certificateDir());
        assertEquals(Optional.of(Path.of("/tmp/ca.pem")), switches.trustAnchor());
    }

    @Test
    void givenTheTestProfileWithNothingSet_thenNoSwitch() throws IOException {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withProfile("test")
                .withSources(new PropertiesConfigSource(TestSwitchesTest.class.getResource("/application.properties"), 250))
                .withSources(new MapBackedConfigSource("empty", Map.of(), 300) { })
                .build();
        assertEquals(TestSwitches.NONE, TestSwitches.from(config, Map.of()));
    }
}
