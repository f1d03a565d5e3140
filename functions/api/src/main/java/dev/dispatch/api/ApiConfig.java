package dev.dispatch.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

@ConfigMapping(prefix = "dispatch")
public interface ApiConfig {
    Tables tables();

    /** Lower-case hex SHA-256 digests of the accepted API keys (from the template's ApiKeySha256 parameter). */
    Optional<List<String>> apiKeySha256();

    Import importing();

    Queues queues();

    Unsubscribe unsubscribe();

    /** The API's public base URL (one-click unsubscribe links). */
    String publicApiUrl();

    /** Comma-separated domains and addresses campaigns may send from (template parameter SenderAllowlist). */
    String senderAllowlist();

    interface Queues {
        String enqueue();

        String send();

        /** Verified engagement events wait here for apply-engagement. */
        String engagement();
    }

    interface Unsubscribe {
        String signingKey();
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
