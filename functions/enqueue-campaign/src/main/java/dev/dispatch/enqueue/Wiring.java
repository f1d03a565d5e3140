package dev.dispatch.enqueue;

import dev.dispatch.adapter.config.ConfigFiles;
import dev.dispatch.adapter.dynamodb.DynamoDbAddressMigration;
import dev.dispatch.adapter.dynamodb.DynamoDbCampaignStore;
import dev.dispatch.adapter.dynamodb.DynamoDbEngagementStore;
import dev.dispatch.adapter.dynamodb.DynamoDbProviderControl;
import dev.dispatch.adapter.dynamodb.DynamoDbSendLedger;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberStore;
import dev.dispatch.adapter.dynamodb.DynamoDbWarmingPool;
import dev.dispatch.adapter.dynamodb.DynamoDbWarmingStore;
import dev.dispatch.adapter.dynamodb.DynamoDbWavePlan;
import dev.dispatch.adapter.dynamodb.SubscriberTables;
import dev.dispatch.adapter.secrets.CachedSecret;
import dev.dispatch.adapter.secrets.SecretValues;
import dev.dispatch.adapter.secrets.SecretsManagerReader;
import dev.dispatch.adapter.sqs.SqsEnqueueRequests;
import dev.dispatch.adapter.sqs.SqsSendQueue;
import dev.dispatch.domain.campaign.CampaignEnqueuer;
import dev.dispatch.domain.campaign.EngagementTimes;
import dev.dispatch.domain.privacy.ErasedAddresses;
import dev.dispatch.domain.routing.ProviderAvailability;
import dev.dispatch.domain.warming.WarmingConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Builds the enqueue use case once per container from the environment the template gives. */
public class Wiring {
    private static final Logger LOG = Logger.getLogger(Wiring.class);

    /**
     * The warming plans, validated at start (a bad file fails fast).
     *
     * @param testFile a warming.yaml on disk instead of the shipped one: defined under the Quarkus test profile only
     *     ({@code %test.} in application.properties), so a deployed function always runs the shipped file
     */
    @Produces
    @Singleton
    @Startup
    WarmingConfig warmingConfig(@ConfigProperty(name = "dispatch.warming.test.config-file") Optional<String> testFile) {
        return testFile.filter(f -> !f.isBlank()).map(f -> ConfigFiles.warming(Path.of(f))).orElseGet(ConfigFiles::warming);
    }

    /**
     * The enqueuer's "now": the system clock, or under the Quarkus test profile only, when the local test stack names
     * a file, the system clock plus the offset in that file (see {@link OffsetFileClock}).
     */
    @Produces
    @Singleton
    Clock clock(@ConfigProperty(name = "dispatch.enqueue.test.clock-offset-file") Optional<String> offsetFile) {
        return offsetFile.filter(f -> !f.isBlank()).<Clock>map(f -> {
            LOG.warnf("TEST PROFILE: enqueue-campaign's clock is moved by the offset in %s", f);
            return new OffsetFileClock(Path.of(f));
        }).orElseGet(Clock::systemUTC);
    }

    @Produces
    @Singleton
    CampaignEnqueuer enqueuer(DynamoDbClient dynamoDb, SqsClient sqs, Clock clock,
            @ConfigProperty(name = "dispatch.tables.subscribers") String subscribers,
            @ConfigProperty(name = "dispatch.tables.segment-members") String segmentMembers,
            @ConfigProperty(name = "dispatch.tables.suppressions") String suppressions,
            @ConfigProperty(name = "dispatch.tables.counters") String counters,
            @ConfigProperty(name = "dispatch.tables.campaigns") String campaigns,
            @ConfigProperty(name = "dispatch.tables.send-ledger") String ledger,
            // How long batches are kept (template parameter SendLedgerRetentionDays): their TTL attribute.
            @ConfigProperty(name = "dispatch.retention.send-ledger-days", defaultValue = "180") int ledgerRetentionDays,
            @ConfigProperty(name = "dispatch.tables.engagement") String engagement,
            @ConfigProperty(name = "dispatch.queues.enqueue") String enqueueQueue,
            @ConfigProperty(name = "dispatch.queues.send") String sendQueue,
            @ConfigProperty(name = "dispatch.enqueue.batch-size", defaultValue = "250") int batchSize,
            @ConfigProperty(name = "dispatch.enqueue.page-size", defaultValue = "1000") int pageSize,
            @ConfigProperty(name = "dispatch.tables.control") String control,
            @ConfigProperty(name = "dispatch.enqueue.warming-release-interval", defaultValue = "PT5M") Duration releaseInterval,
            @ConfigProperty(name = "dispatch.enqueue.ab-test-check-interval", defaultValue = "PT15M") Duration abTestCheckInterval,
            WarmingConfig warming,
            @ConfigProperty(name = "dispatch.secrets.erasure-key") String erasureKeySecret,
            @ConfigProperty(name = "dispatch.secrets.refresh-interval") Duration refreshInterval,
            @ConfigProperty(name = "dispatch.secrets.endpoint-override") Optional<URI> secretsEndpoint) {
        // Erased addresses are known only by their keyed hash: every profile read also looks for that erasure.
        ErasedAddresses erased = SecretValues.erasedAddresses(new CachedSecret<>(erasureKeySecret,
                new SecretsManagerReader(SecretsManagerReader.client(secretsEndpoint)), SecretValues::erasureKey,
                refreshInterval, Clock.systemUTC()));
        SubscriberTables subscriberTables = new SubscriberTables(subscribers, segmentMembers, suppressions, counters);
        DynamoDbEngagementStore engagementStore = new DynamoDbEngagementStore(dynamoDb, engagement);
        return new CampaignEnqueuer(
                new DynamoDbCampaignStore(dynamoDb, campaigns),
                new DynamoDbSubscriberStore(dynamoDb, subscriberTables, erased),
                new DynamoDbSendLedger(dynamoDb, ledger, Duration.ofDays(ledgerRetentionDays)),
                new SqsSendQueue(sqs, sendQueue),
                new SqsEnqueueRequests(sqs, enqueueQueue),
                new DynamoDbAddressMigration(dynamoDb, subscriberTables, engagement, campaigns, DynamoDbAddressMigration.DEFAULT_MARKER,
                        Clock.systemUTC()),
                clock, batchSize, pageSize, CampaignEnqueuer.WATCH_INTERVAL,
                new CampaignEnqueuer.Warming(warming, new DynamoDbWarmingStore(dynamoDb, control),
                        new DynamoDbWarmingPool(dynamoDb, control), engagementStore, releaseInterval,
                        // Where a route plan's overflow may go: the shipped providers' settings, the shared health.
                        ProviderAvailability.shared(ConfigFiles.providers(), new DynamoDbProviderControl(dynamoDb, control),
                                ConfigFiles.deliveryRules().breaker().window())),
                abTestCheckInterval,
                new CampaignEnqueuer.SendTimes(new DynamoDbWavePlan(dynamoDb, control), EngagementTimes.from(engagementStore)));
    }
}
