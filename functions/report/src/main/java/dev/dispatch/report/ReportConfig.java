package dev.dispatch.report;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "dispatch")
public interface ReportConfig {
    Tables tables();

    Secrets secrets();

    Report report();

    /** Read only: the reports never write. */
    interface Tables {
        /** Campaign definitions and their counters. */
        String campaigns();

        /** Provider daily statistics, subscriber counts and the lifecycle aggregate. */
        String counters();

        /** For the churn report: a segment's members, their profiles and suppressions, and engagement states. */
        String subscribers();

        String segmentMembers();

        String suppressions();

        String engagement();
    }

    /** The same API key secret the api function checks keys against, by ARN. */
    interface Secrets {
        String apiKeyDigests();

        Duration refreshInterval();

        /** Set only on the local stack (its Secrets Manager stand-in). */
        Optional<URI> endpointOverride();
    }

    interface Report {
        /**
         * Price per 1,000 messages by provider, {@code provider=price,...}, for the provider comparison's cost
         * estimate (template parameter ProviderPricesPerThousand); a provider without a price gets no estimate.
         */
        @WithDefault("")
        String prices();
    }
}
