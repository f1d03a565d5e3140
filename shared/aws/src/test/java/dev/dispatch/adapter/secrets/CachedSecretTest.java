package dev.dispatch.adapter.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.UnsubscribeKeyring;
import dev.dispatch.domain.subscriber.UnsubscribeTokens;
import dev.dispatch.emulators.Moto;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** Secrets read through the real SDK client from moto's Secrets Manager, on a clock the test moves. */
class CachedSecretTest {
    private static final Duration INTERVAL = Duration.ofMinutes(5);
    private static Moto moto;
    private static SecretsManagerClient client;
    private static SecretReader reader;

    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));

    @BeforeAll
    static void start() {
        moto = Moto.start();
        // What the Lambda environment gives the function: region and credentials (any, for moto).
        System.setProperty("aws.region", "us-east-1");
        System.setProperty("aws.accessKeyId", "local");
        System.setProperty("aws.secretAccessKey", "local");
        client = SecretsManagerReader.client(Optional.of(moto.endpoint()));
        reader = new SecretsManagerReader(client);
    }

    @AfterAll
    static void stop() {
        client.close();
        moto.close();
    }

    private static String create(String value) {
        return client.createSecret(b -> b.name("test-" + UUID.randomUUID()).secretString(value)).arn();
    }

    private static void put(String arn, String value) {
        client.putSecretValue(b -> b.secretId(arn).secretString(value));
    }

    @Test
    void givenARotatedSecret_whenTheRefreshIntervalPassed_thenTheNewValueIsUsed_notBefore() {
        String arn = create("{\"apiKey\": \"SG.first\"}");
        CachedSecret<Optional<String>> key = new CachedSecret<>(arn, reader, t -> SecretValues.field(t, "apiKey"), INTERVAL, clock);
        assertEquals(Optional.of("SG.first"), key.get());

        put(arn, "{\"apiKey\": \"SG.second\"}");
        clock.advance(INTERVAL.minusSeconds(1));
        assertEquals(Optional.of("SG.first"), key.get(), "cached until the interval has passed");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Optional.of("SG.second"), key.get());

        put(arn, "{\"apiKey\": \"\"}");
        clock.advance(INTERVAL);
        assertEquals(Optional.empty(), key.get(), "an emptied placeholder means not set");
    }

    @Test
    void givenARefreshFails_thenTheLastGoodValueStays_andTheLogNamesTheSecretButNotTheValue() {
        String arn = create("{\"secret\": \"good-value-1234567890\"}");
        CachedSecret<Optional<String>> secret = new CachedSecret<>(arn, reader, t -> SecretValues.field(t, "secret"), INTERVAL, clock);
        List<String> logged = capture(() -> {
            put(arn, "{\"secret\": \"broken-value-0987654321\""); // not JSON: an operator's typo
            clock.advance(INTERVAL);
            assertEquals(Optional.of("good-value-1234567890"), secret.get());

            client.deleteSecret(b -> b.secretId(arn).forceDeleteWithoutRecovery(true)); // unreachable/unreadable
            clock.advance(INTERVAL);
            assertEquals(Optional.of("good-value-1234567890"), secret.get());
        });
        assertEquals(2, logged.size(), logged.toString());
        for (String line : logged) {
            assertTrue(line.contains(arn), line);
            assertFalse(line.contains("value-"), "a secret value was logged: " + line);
        }
        assertTrue(logged.get(0).contains("not valid JSON"), logged.get(0));
        assertTrue(logged.get(1).contains("ResourceNotFoundException"), logged.get(1));

        // and a failed refresh is tried again only after another interval, not on every call
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of(), capture(secret::get));
    }

    @Test
    void givenASecretThatCantBeReadAtColdStart_thenInitFailsNamingItButNotItsValue() {
        String arn = create("{\"sha256\": [\"not-a-digest-but-a-secret-key\"]}");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new CachedSecret<>(arn, reader, SecretValues::apiKeyDigests, INTERVAL, clock));
        assertTrue(e.getMessage().contains(arn) && e.getMessage().contains("sha256[0]"), e.getMessage());
        assertFalse(e.getMessage().contains("not-a-digest"), e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> new CachedSecret<>("no-such-secret", reader, SecretValues::fields, INTERVAL, clock));
    }

    @Test
    void givenTheKeyringSecretRotates_thenTokensSignedBeforeStillVerify() {
        String arn = create("{\"current\": \"k1\", \"k1\": \"" + "a".repeat(40) + "\"}");
        UnsubscribeTokens tokens = new UnsubscribeTokens(
                new CachedSecret<>(arn, reader, SecretValues::unsubscribeKeyring, INTERVAL, clock));
        EmailAddress ada = new EmailAddress("ada@example.com");
        String before = tokens.issue("cmp_1", ada);

        put(arn, "{\"current\": \"k2\", \"k1\": \"" + "a".repeat(40) + "\", \"k2\": \"" + "b".repeat(40) + "\"}");
        clock.advance(INTERVAL);
        assertTrue(tokens.issue("cmp_2", ada).startsWith("k2."));
        assertEquals("cmp_1", tokens.verify(before).orElseThrow().campaignId());

        assertEquals(2, SecretValues.apiKeyDigests("{\"sha256\": [\"" + "ab".repeat(32) + "\", \"" + "CD".repeat(32) + "\"]}").size());
        UnsubscribeKeyring ring = SecretValues.unsubscribeKeyring("{\"current\": \"k1\", \"k1\": \"" + "c".repeat(32) + "\"}");
        assertEquals("k1", ring.currentKeyId());
    }

    /** WARNING records of CachedSecret's logger, formatted, while {@code action} runs. */
    private static List<String> capture(Runnable action) {
        Logger logger = Logger.getLogger(CachedSecret.class.getName());
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            action.run();
        } finally {
            logger.removeHandler(handler);
        }
        return lines;
    }

    private static final class MovableClock extends Clock {
        private Instant now;

        MovableClock(Instant start) {
            now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
