package dev.dispatch.report;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "dispatch")
public interface ReportConfig {
    Tables tables();

    /** The queues whose depths the system view shows (read only: GetQueueAttributes). */
    Queues queues();

    Secrets secrets();

    Report report();

    Dashboard dashboard();

    Warming warming();

    /** A folder with providers.yaml (and warming.yaml) instead of the shipped ones; empty = the shipped files. */
    Optional<String> configDir();

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

        /** Pacing counters and warming plans' state and usage (the system and warming views). */
        String control();
    }

    interface Queues {
        String enqueue();

        String send();

        String engagement();

        String enqueueDeadLetter();

        String sendDeadLetter();

        String engagementDeadLetter();
    }

    /** The same API key secret the api function checks keys against, by ARN, and the dashboard's session key. */
    interface Secrets {
        String apiKeyDigests();

        /** {@code {"key": "..."}}: signs the dashboard's session cookies (DashboardSessions). */
        String dashboardSessionKey();

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

    interface Dashboard {
        /** How long a session made from the API key lasts (then the login page again). */
        @WithDefault("1H")
        Duration sessionLifetime();

        /** How often the page fetches the reports again. */
        @WithDefault("10S")
        Duration refreshInterval();
    }

    /** IP warm-up plans come from the shipped warming.yaml, as in the api function. */
    interface Warming {
        Test test();

        /** Test profile only ({@code %test.} in application.properties): a warming.yaml on disk instead. */
        interface Test {
            Optional<String> configFile();
        }
    }
}
