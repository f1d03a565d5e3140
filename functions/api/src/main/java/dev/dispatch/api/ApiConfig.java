package dev.dispatch.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "dispatch")
public interface ApiConfig {
    Tables tables();

    Import importing();

    Queues queues();

    Secrets secrets();

    Content content();

    Warming warming();

    OptIn optIn();

    /** Double opt-in (template parameters OptInExpiryHours, OptInCooldownMinutes). */
    interface OptIn {
        /** How long a confirmation link confirms; an unconfirmed request lapses then. */
        @WithDefault("168H")
        Duration expiry();

        /** Asked again within this, a pending request sends no second confirmation mail. */
        @WithDefault("60M")
        Duration cooldown();
    }

    /** The API's public base URL (one-click unsubscribe links). */
    String publicApiUrl();

    /** Comma-separated domains and addresses campaigns may send from (template parameter SenderAllowlist). */
    String senderAllowlist();

    /** A directory with other config files (DISPATCH_CONFIG_DIR: tests, the benchmark); empty = the shipped ones. */
    Optional<String> configDir();

    interface Queues {
        String enqueue();

        String send();

        /** Verified engagement events wait here for apply-engagement. */
        String engagement();

        /** The dead-letter queues, for GET /system/status. */
        String enqueueDeadLetter();

        String sendDeadLetter();

        String engagementDeadLetter();
    }

    /** Secrets Manager secrets, by ARN: the environment never holds their values. */
    interface Secrets {
        /** {@code {"sha256": [...]}}: SHA-256 digests of the accepted API keys. */
        String apiKeyDigests();

        /** The unsubscribe link keyring. */
        String unsubscribeKeyring();

        /** {@code {"key": "..."}}: the HMAC key of erased addresses (never rotated, see ErasedAddresses). */
        String erasureKey();

        /** How old a value may get before it is read again (rotation is picked up within this). */
        Duration refreshInterval();

        /** Set only on the local stack (its Secrets Manager stand-in). */
        Optional<URI> endpointOverride();
    }

    interface Tables {
        String subscribers();

        String segmentMembers();

        String suppressions();

        String counters();

        String campaigns();

        String sendLedger();

        /** Per-subscriber engagement state and history, per-campaign recipient entries. */
        String engagement();

        /** Shared control state: provider health, pacing, warming plans, operator overrides and their audit. */
        String control();
    }

    interface Content {
        /** The content score at or above which a campaign is not sent unless the request says force. */
        @WithDefault("5.0")
        double spamThreshold();

        /** The DNS server the sender checks ask ("host:port"); the system's resolvers when absent. */
        Optional<String> dnsServer();
    }

    /** IP warm-up: the plans come from the shipped warming.yaml. */
    interface Warming {
        Test test();

        /** Test profile only ({@code %test.} in application.properties): a warming.yaml on disk instead. */
        interface Test {
            Optional<String> configFile();
        }
    }

    interface Import {
        /** Rows per request; a request must finish inside the HTTP API's 30 s integration timeout. */
        @WithDefault("10000")
        int maxRows();

        /** Import chunks written in parallel. */
        @WithDefault("4")
        int parallelism();
    }
}
