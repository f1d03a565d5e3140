package dev.dispatch.api;

import dev.dispatch.adapter.config.ConfigFiles;
import dev.dispatch.adapter.dynamodb.DynamoDbAddressMigration;
import dev.dispatch.adapter.system.SystemStatusAdapters;
import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.system.SystemStatus;
import dev.dispatch.adapter.dynamodb.DynamoDbCampaignStore;
import dev.dispatch.adapter.dynamodb.DynamoDbDeliveryStats;
import dev.dispatch.adapter.dynamodb.DynamoDbEngagementStore;
import dev.dispatch.adapter.dynamodb.DynamoDbSendLedger;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberCounters;
import dev.dispatch.adapter.dynamodb.DynamoDbWarmingStore;
import dev.dispatch.adapter.render.HandlebarsTemplates;
import dev.dispatch.adapter.secrets.ApiKeyDigests;
import dev.dispatch.adapter.secrets.CachedSecret;
import dev.dispatch.adapter.secrets.SecretReader;
import dev.dispatch.adapter.secrets.SecretValues;
import dev.dispatch.adapter.secrets.SecretsManagerReader;
import dev.dispatch.adapter.sqs.SqsEngagementQueue;
import dev.dispatch.adapter.sqs.SqsEnqueueRequests;
import dev.dispatch.adapter.sqs.SqsSendQueue;
import dev.dispatch.domain.campaign.CampaignService;
import dev.dispatch.domain.campaign.WavePlan;
import dev.dispatch.adapter.dynamodb.DynamoDbWavePlan;
import dev.dispatch.domain.content.CampaignContentCheck;
import dev.dispatch.adapter.content.ContentRules;
import dev.dispatch.adapter.content.DnsJavaLookup;
import dev.dispatch.domain.content.SenderAuthentication;
import dev.dispatch.domain.content.SenderDns;
import dev.dispatch.domain.campaign.SenderAllowlist;
import dev.dispatch.domain.engagement.DeliveryStats;
import dev.dispatch.domain.engagement.EngagementQueue;
import dev.dispatch.domain.engagement.EngagementStore;
import dev.dispatch.domain.subscriber.AddressMigration;
import dev.dispatch.domain.subscriber.UnsubscribeTokens;
import dev.dispatch.domain.subscriber.SignedLinks;
import dev.dispatch.domain.consent.ConfirmationMail;
import dev.dispatch.domain.consent.OptInPolicy;
import dev.dispatch.domain.consent.SegmentConsent;
import dev.dispatch.domain.consent.SegmentSettingsStore;
import dev.dispatch.adapter.dynamodb.DynamoDbSegmentSettings;
import dev.dispatch.adapter.dynamodb.DynamoDbConfirmationNumbers;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberStore;
import dev.dispatch.adapter.dynamodb.DynamoDbPersonalData;
import dev.dispatch.adapter.dynamodb.DynamoDbAuditLog;
import dev.dispatch.domain.privacy.DataRequests;
import dev.dispatch.domain.privacy.ErasedAddresses;
import dev.dispatch.adapter.dynamodb.SubscriberTables;
import dev.dispatch.domain.subscriber.SubscriberImport;
import dev.dispatch.domain.subscriber.SubscriberService;
import dev.dispatch.domain.warming.WarmingConfig;
import dev.dispatch.domain.warming.WarmingOverrides;
import dev.dispatch.domain.warming.WarmingStore;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Builds the domain services once per container from the plain-Java domain and the DynamoDB adapters. */
public class Wiring {
    private static final Logger LOG = Logger.getLogger(Wiring.class);

    @Produces
    @Singleton
    SubscriberService subscriberService(DynamoDbClient dynamoDb, ApiConfig config, ErasedAddresses erased,
            OptInPolicy optIns) {
        return new SubscriberService(store(dynamoDb, config, erased), counters(dynamoDb, config), Clock.systemUTC(), optIns);
    }

    /** Double opt-in: segment settings, confirmation numbers and mails (through the send ledger and SendQueue). */
    @Produces
    @Singleton
    OptInPolicy optInPolicy(DynamoDbClient dynamoDb, SqsClient sqs, ApiConfig config, AddressMigration migration) {
        ApiConfig.Tables t = config.tables();
        ConfirmationMail mail = new ConfirmationMail(new DynamoDbSendLedger(dynamoDb, t.sendLedger()),
                new SqsSendQueue(sqs, config.queues().send()), new DynamoDbCampaignStore(dynamoDb, t.campaigns()),
                migration, Clock.systemUTC());
        return new OptInPolicy(new DynamoDbSegmentSettings(dynamoDb, t.control()),
                new DynamoDbConfirmationNumbers(dynamoDb, t.counters()), mail, config.optIn().expiry(),
                config.optIn().cooldown(), Clock.systemUTC());
    }

    @Produces
    @Singleton
    SegmentSettingsStore segmentSettings(DynamoDbClient dynamoDb, ApiConfig config) {
        return new DynamoDbSegmentSettings(dynamoDb, config.tables().control());
    }

    @Produces
    @Singleton
    SegmentConsent segmentConsent(DynamoDbClient dynamoDb, ApiConfig config) {
        return new SegmentConsent(new DynamoDbSegmentSettings(dynamoDb, config.tables().control()),
                new DynamoDbCampaignStore(dynamoDb, config.tables().campaigns()), HandlebarsTemplates.html(),
                SenderAllowlist.parse(config.senderAllowlist()), Clock.systemUTC());
    }

    @Produces
    @Singleton
    SignedLinks signedLinks(UnsubscribeTokens tokens) {
        return new SignedLinks(tokens);
    }

    /** The keyed hash of erased addresses, its key read from Secrets Manager at cold start and kept fresh. */
    @Produces
    @Singleton
    ErasedAddresses erasedAddresses(SecretReader secrets, ApiConfig config) {
        return SecretValues.erasedAddresses(new CachedSecret<>(config.secrets().erasureKey(), secrets,
                SecretValues::erasureKey, config.secrets().refreshInterval(), Clock.systemUTC()));
    }

    @Produces
    @Singleton
    DataRequests dataRequests(DynamoDbClient dynamoDb, ApiConfig config, ErasedAddresses erased) {
        ApiConfig.Tables t = config.tables();
        return new DataRequests(store(dynamoDb, config, erased), counters(dynamoDb, config),
                new DynamoDbPersonalData(dynamoDb, subscriberTables(config), t.campaigns(), t.sendLedger(), t.engagement()),
                erased, new DynamoDbAuditLog(dynamoDb, t.control()), Clock.systemUTC());
    }

    @Produces
    @Singleton
    SubscriberImport subscriberImport(DynamoDbClient dynamoDb, ApiConfig config, ErasedAddresses erased,
            OptInPolicy optIns) {
        ExecutorService executor = Executors.newFixedThreadPool(config.importing().parallelism(), runnable -> {
            Thread thread = new Thread(runnable, "import-writer");
            thread.setDaemon(true);
            return thread;
        });
        return new SubscriberImport(store(dynamoDb, config, erased), counters(dynamoDb, config), Clock.systemUTC(), executor,
                optIns);
    }

    @Produces
    @Singleton
    CampaignContentCheck contentCheck(ApiConfig config) {
        SenderDns dns = config.content().dnsServer().filter(s -> !s.isBlank()).map(DnsJavaLookup::server)
                .map(SenderDns.class::cast).orElseGet(DnsJavaLookup::system);
        return new CampaignContentCheck(new ContentRules(), new SenderAuthentication(dns), config.content().spamThreshold());
    }

    @Produces
    @Singleton
    CampaignService campaignService(DynamoDbClient dynamoDb, SqsClient sqs, ApiConfig config, WarmingConfig warming,
            WarmingStore warmingPlans) {
        return new CampaignService(
                new DynamoDbCampaignStore(dynamoDb, config.tables().campaigns()),
                new DynamoDbSendLedger(dynamoDb, config.tables().sendLedger()),
                new SqsSendQueue(sqs, config.queues().send()),
                new SqsEnqueueRequests(sqs, config.queues().enqueue()),
                HandlebarsTemplates.html(),
                SenderAllowlist.parse(config.senderAllowlist()),
                Clock.systemUTC(), counters(dynamoDb, config), warming, warmingPlans);
    }

    /** The providers' settings (config/providers.yaml, or DISPATCH_CONFIG_DIR's): a bad file stops the start. */
    @Produces
    @Singleton
    @Startup
    ProviderCatalog providerCatalog(ApiConfig config) {
        return ConfigFiles.providers(config.configDir().filter(d -> !d.isBlank()).map(java.nio.file.Path::of));
    }

    /** GET /system/status: read-only views of the queues, the pacing counters and the campaigns table. */
    @Produces
    @Singleton
    SystemStatus systemStatus(DynamoDbClient dynamoDb, SqsClient sqs, ApiConfig config, ProviderCatalog catalog) {
        var q = config.queues();
        return SystemStatusAdapters.systemStatus(dynamoDb, sqs, new SystemStatusAdapters.WorkQueues(q.enqueue(),
                q.enqueueDeadLetter(), q.send(), q.sendDeadLetter(), q.engagement(), q.engagementDeadLetter()),
                config.tables().control(), config.tables().campaigns(), catalog);
    }

    /** One Secrets Manager client per container; every secret is read once here at cold start, then kept fresh. */
    @Produces
    @Singleton
    SecretReader secretReader(ApiConfig config) {
        return new SecretsManagerReader(SecretsManagerReader.client(config.secrets().endpointOverride()));
    }

    @Produces
    @Singleton
    @Startup
    ApiKeyDigests apiKeyDigests(SecretReader secrets, ApiConfig config) {
        CachedSecret<List<byte[]>> digests = new CachedSecret<>(config.secrets().apiKeyDigests(), secrets,
                SecretValues::apiKeyDigests, config.secrets().refreshInterval(), Clock.systemUTC());
        if (digests.get().isEmpty()) {
            LOG.warnf("no API key digest in secret %s: every protected route answers 401 until one is put there",
                    digests.secretId());
        }
        return new ApiKeyDigests(digests);
    }

    @Produces
    @Singleton
    @Startup
    UnsubscribeTokens unsubscribeTokens(SecretReader secrets, ApiConfig config) {
        return new UnsubscribeTokens(new CachedSecret<>(config.secrets().unsubscribeKeyring(), secrets,
                SecretValues::unsubscribeKeyring, config.secrets().refreshInterval(), Clock.systemUTC()));
    }

    /** Tracked events go the way webhook events go: onto the queue apply-engagement consumes. */
    @Produces
    @Singleton
    EngagementQueue engagementQueue(SqsClient sqs, ApiConfig config) {
        return new SqsEngagementQueue(sqs, config.queues().engagement());
    }

    /** Read-only here (history and state); apply-engagement is its only writer. */
    @Produces
    @Singleton
    EngagementStore engagementStore(DynamoDbClient dynamoDb, ApiConfig config) {
        return new DynamoDbEngagementStore(dynamoDb, config.tables().engagement());
    }

    /** Read-only here (trends); the send path and apply-engagement write it. */
    @Produces
    @Singleton
    DeliveryStats deliveryStats(DynamoDbClient dynamoDb, ApiConfig config) {
        return new DynamoDbDeliveryStats(dynamoDb, config.tables().counters());
    }

    /** Run on request (POST /admin/migrations/address-identity); enqueue-campaign runs it too. */
    @Produces
    @Singleton
    AddressMigration addressMigration(DynamoDbClient dynamoDb, ApiConfig config) {
        ApiConfig.Tables t = config.tables();
        return new DynamoDbAddressMigration(dynamoDb, new SubscriberTables(t.subscribers(), t.segmentMembers(), t.suppressions(),
                t.counters()), t.engagement(), t.campaigns(), DynamoDbAddressMigration.DEFAULT_MARKER, Clock.systemUTC());
    }

    /** warming.yaml, validated at start: a bad file fails the cold start with its file, field and problem. */
    @Produces
    @Singleton
    @Startup
    WarmingConfig warmingConfig(ApiConfig config) {
        return config.warming().test().configFile().filter(f -> !f.isBlank())
                .map(f -> ConfigFiles.warming(Path.of(f))).orElseGet(ConfigFiles::warming);
    }

    /** Send-time campaigns' wave plans in the Control table (enqueue-campaign writes them; the api shows them). */
    @Produces
    @Singleton
    WavePlan wavePlan(DynamoDbClient dynamoDb, ApiConfig config) {
        return new DynamoDbWavePlan(dynamoDb, config.tables().control());
    }

    /** Plans' state and usage in the Control table; warming-tick is the other writer. */
    @Produces
    @Singleton
    WarmingStore warmingStore(DynamoDbClient dynamoDb, ApiConfig config) {
        return new DynamoDbWarmingStore(dynamoDb, config.tables().control());
    }

    @Produces
    @Singleton
    WarmingOverrides warmingOverrides(WarmingConfig warming, WarmingStore store) {
        return new WarmingOverrides(warming, store, Clock.systemUTC());
    }

    /** One clock for the analytics views, so that "now" (score decay, default periods) is always UTC. */
    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    private static DynamoDbSubscriberStore store(DynamoDbClient dynamoDb, ApiConfig config, ErasedAddresses erased) {
        return new DynamoDbSubscriberStore(dynamoDb, subscriberTables(config), erased);
    }

    private static SubscriberTables subscriberTables(ApiConfig config) {
        ApiConfig.Tables t = config.tables();
        return new SubscriberTables(t.subscribers(), t.segmentMembers(), t.suppressions(), t.counters());
    }

    private static DynamoDbSubscriberCounters counters(DynamoDbClient dynamoDb, ApiConfig config) {
        return new DynamoDbSubscriberCounters(dynamoDb, config.tables().counters());
    }
}
