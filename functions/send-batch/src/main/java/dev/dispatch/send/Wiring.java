package dev.dispatch.send;

import dev.dispatch.adapter.dynamodb.DynamoDbAddressMigration;
import dev.dispatch.adapter.dynamodb.DynamoDbCampaignStore;
import dev.dispatch.adapter.dynamodb.DynamoDbDeliveryStats;
import dev.dispatch.adapter.dynamodb.DynamoDbSendLedger;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberStore;
import dev.dispatch.adapter.dynamodb.SubscriberTables;
import dev.dispatch.adapter.provider.PostmarkProvider;
import dev.dispatch.adapter.provider.SendGridProvider;
import dev.dispatch.adapter.provider.SesProvider;
import dev.dispatch.adapter.render.CampaignRenderer;
import dev.dispatch.domain.campaign.BatchSender;
import dev.dispatch.domain.message.EmailProvider;
import dev.dispatch.domain.subscriber.UnsubscribeTokens;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ses.SesClient;

/** Builds the send use case once per container; a provider is available only when its credentials are set. */
public class Wiring {
    private static final Logger LOG = Logger.getLogger(Wiring.class);
    private static final Duration PROVIDER_TIMEOUT = Duration.ofSeconds(20);

    @Produces
    @Singleton
    BatchSender sender(DynamoDbClient dynamoDb, SesClient ses,
            @ConfigProperty(name = "dispatch.tables.subscribers") String subscribers,
            @ConfigProperty(name = "dispatch.tables.segment-members") String segmentMembers,
            @ConfigProperty(name = "dispatch.tables.suppressions") String suppressions,
            @ConfigProperty(name = "dispatch.tables.counters") String counters,
            @ConfigProperty(name = "dispatch.tables.campaigns") String campaigns,
            @ConfigProperty(name = "dispatch.tables.send-ledger") String ledger,
            @ConfigProperty(name = "dispatch.tables.engagement") String engagement,
            @ConfigProperty(name = "dispatch.unsubscribe.signing-key") String signingKey,
            @ConfigProperty(name = "dispatch.public-api-url") String publicApiUrl,
            @ConfigProperty(name = "dispatch.ses.configuration-set") Optional<String> sesConfigurationSet,
            @ConfigProperty(name = "dispatch.sendgrid.api-key") Optional<String> sendGridKey,
            @ConfigProperty(name = "dispatch.sendgrid.url") Optional<URI> sendGridUrl,
            @ConfigProperty(name = "dispatch.postmark.server-token") Optional<String> postmarkToken,
            @ConfigProperty(name = "dispatch.postmark.url") Optional<URI> postmarkUrl,
            @ConfigProperty(name = "dispatch.postmark.message-stream", defaultValue = "broadcast") String postmarkStream,
            @ConfigProperty(name = "dispatch.send.lease", defaultValue = "PT3M") Duration lease) {
        Map<String, EmailProvider> providers = new LinkedHashMap<>();
        providers.put("ses", new SesProvider(ses, sesConfigurationSet.filter(s -> !s.isBlank()).orElse(null)));
        sendGridKey.filter(k -> !k.isBlank()).ifPresent(key -> providers.put("sendgrid",
                new SendGridProvider(key, sendGridUrl.orElse(SendGridProvider.DEFAULT_ENDPOINT), PROVIDER_TIMEOUT)));
        postmarkToken.filter(t -> !t.isBlank()).ifPresent(token -> providers.put("postmark",
                new PostmarkProvider(postmarkUrl.orElse(PostmarkProvider.DEFAULT_ENDPOINT), token, postmarkStream, PROVIDER_TIMEOUT)));
        LOG.infof("providers configured: %s", providers.keySet());
        SubscriberTables subscriberTables = new SubscriberTables(subscribers, segmentMembers, suppressions, counters);
        return new BatchSender(
                new DynamoDbCampaignStore(dynamoDb, campaigns),
                new DynamoDbSubscriberStore(dynamoDb, subscriberTables),
                new DynamoDbSendLedger(dynamoDb, ledger),
                new CampaignRenderer(new UnsubscribeTokens(signingKey), publicApiUrl),
                providers, Clock.systemUTC(), duration -> Thread.sleep(duration.toMillis()), lease,
                new DynamoDbDeliveryStats(dynamoDb, counters),
                new DynamoDbAddressMigration(dynamoDb, subscriberTables, engagement, campaigns, DynamoDbAddressMigration.DEFAULT_MARKER,
                        Clock.systemUTC()));
    }
}
