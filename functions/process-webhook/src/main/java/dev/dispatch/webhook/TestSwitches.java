package dev.dispatch.webhook;

import io.smallrye.config.SmallRyeConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The switches that exist only so tests can replay recorded, signed fixtures: a fixed verification clock, SNS
 * certificates from a folder, an extra CA trusted for SNS certificates, and SNS confirmations sent to a local sink.
 * Each one weakens a production check, so they are read only when the Quarkus profile {@value #PROFILE} is active
 * (the local test stack sets {@code QUARKUS_PROFILE=test}; template.yaml never does, and a test keeps it so). In any
 * other profile nothing is read, whatever the environment holds: their properties are defined under
 * {@code %test.} only, and this class doesn't even look them up.
 *
 * @param verifyAt the fixed time webhooks are verified at (replay protection off)
 * @param confirmBaseUrl scheme, host and port that replace an SNS SubscribeURL's
 * @param certificateDir a folder of SNS signing certificates used instead of fetching them
 * @param trustAnchor a PEM file with a CA certificate trusted for SNS signing certificates, besides the JDK's
 */
public record TestSwitches(Optional<Instant> verifyAt, Optional<URI> confirmBaseUrl, Optional<Path> certificateDir,
        Optional<Path> trustAnchor) {
    private static final Logger LOG = Logger.getLogger(TestSwitches.class);
    static final String PROFILE = "test";
    /** The environment variables behind the switches (application.properties, {@code %test.} entries). */
    static final List<String> VARIABLES =
            List.of("WEBHOOK_VERIFY_AT", "SNS_CONFIRM_BASE_URL", "SNS_CERTIFICATE_DIR", "SNS_TEST_TRUST_ANCHOR");
    public static final TestSwitches NONE = new TestSwitches(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty());

    /**
     * @param environment the process environment, only to warn that set variables are ignored
     */
    public static TestSwitches from(SmallRyeConfig config, Map<String, String> environment) {
        if (!config.getProfiles().contains(PROFILE)) {
            VARIABLES.stream().filter(environment::containsKey).forEach(name -> LOG.warnf(
                    "%s is set and ignored: test-only switches work under the %s profile only", name, PROFILE));
            return NONE;
        }
        TestSwitches switches = new TestSwitches(
                value(config, "verify-at").map(Instant::parse),
                value(config, "sns-confirm-base-url").map(TestSwitches::baseUrl),
                value(config, "sns-certificate-dir").map(Path::of),
                value(config, "sns-trust-anchor").map(Path::of));
        switches.verifyAt.ifPresent(at -> LOG.warnf("TEST PROFILE: every webhook is verified as if received at %s; "
                + "replay protection is OFF", at));
        switches.confirmBaseUrl.ifPresent(base -> LOG.warnf("TEST PROFILE: SNS subscription confirmations go to %s", base));
        switches.certificateDir.ifPresent(dir -> LOG.warnf("TEST PROFILE: SNS certificates are read from a folder"));
        switches.trustAnchor.ifPresent(file -> LOG.warnf("TEST PROFILE: an extra CA is trusted for SNS certificates"));
        return switches;
    }

    private static Optional<String> value(SmallRyeConfig config, String name) {
        return config.getOptionalValue("dispatch.webhooks.test." + name, String.class)
                .map(String::strip).filter(s -> !s.isEmpty());
    }

    private static URI baseUrl(String configured) {
        URI base = URI.create(configured);
        if (base.getScheme() == null || base.getRawAuthority() == null) {
            throw new IllegalArgumentException("SNS_CONFIRM_BASE_URL must be an absolute URL such as http://127.0.0.1:8080");
        }
        return base;
    }
}
