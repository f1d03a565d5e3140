package dev.dispatch.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.TestStack;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberCounters;
import dev.dispatch.adapter.provider.SesProvider;
import dev.dispatch.domain.ConflictException;
import dev.dispatch.domain.NotFoundException;
import dev.dispatch.domain.campaign.Campaign;
import dev.dispatch.domain.campaign.CampaignContent;
import dev.dispatch.domain.campaign.CampaignDraft;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.ImportRow;
import dev.dispatch.domain.subscriber.SubscriberImport;
import dev.dispatch.domain.subscriber.SubscriberStatus;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ses.SesClient;

/**
 * Random sequences of imports, unsubscribes, re-subscribes, bounces, complaints and campaign sends, run through the
 * real domain and adapters on the local stand-ins (dynalite, ElasticMQ, aws-ses-v2-local), with the sent mail read
 * back from the local SES. After every send: no message reached an address that was suppressed at the time, nobody
 * got two messages from one campaign, and every imported address that was not suppressed got exactly one.
 *
 * <p>A plain model runs beside the system and decides what "suppressed" and "imported" mean: an unsubscribe needs a
 * profile and is lifted only by a re-subscribe; a bounce or complaint suppresses for good, profile or not; an import
 * leaves a suppressed address untouched. Kept affordable: four addresses, at most eight steps, twelve sequences.
 *
 * <p>Each sequence comes from a fixed seed (so a failure names the seed and replays exactly); set
 * {@code -Dproperty.seed=N} to run the twelve sequences that follow another seed. A failure message lists the whole
 * sequence of steps that led to it.
 */
class SuppressionPropertyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ExecutorService IMPORTS = Executors.newFixedThreadPool(2);
    private static final SesClient SES = SesClient.builder().endpointOverride(TestStack.aws().sesEndpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(10)).retryStrategy(RetryMode.STANDARD))
            .build();
    private static final int POOL = 4;

    sealed interface Step permits Import, Unsubscribe, Resubscribe, Bounce, Complain, Send {}

    record Import(List<Integer> who) implements Step {}

    record Unsubscribe(int who) implements Step {}

    record Resubscribe(int who) implements Step {}

    record Bounce(int who) implements Step {}

    record Complain(int who) implements Step {}

    record Send() implements Step {}

    private static final int SEQUENCES = 12;
    private static final int MAX_STEPS = 8;

    static LongStream seeds() {
        long first = Long.getLong("property.seed", 20261201L);
        return LongStream.range(first, first + SEQUENCES);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void noMessageReachesASuppressedAddressAndNobodyGetsTwoFromOneCampaign(long seed) throws Exception {
        List<Step> steps = steps(new Random(seed));
        Pipeline p = new Pipeline();
        List<EmailAddress> pool = addresses(p.run);
        String segment = "prop-" + p.run;
        Map<EmailAddress, SubscriberStatus> suppressed = new HashMap<>();
        Set<EmailAddress> imported = new HashSet<>();
        SubscriberImport importer = new SubscriberImport(p.subscriberStore,
                new DynamoDbSubscriberCounters(p.dynamoDb, TestStack.subscriberTables().counters()), Clock.systemUTC(), IMPORTS);
        List<Step> all = new ArrayList<>(steps);
        all.add(new Send()); // every sequence ends with a send, so every sequence is checked at least once
        int sends = 0;
        for (int index = 0; index < all.size(); index++) {
            Step step = all.get(index);
            if (step instanceof Import i) {
                List<ImportRow> rows = new ArrayList<>();
                for (int n = 0; n < i.who().size(); n++) {
                    rows.add(ImportRow.of(n + 2, pool.get(i.who().get(n)).value(), "Name" + n, null, Map.of(),
                            List.of(segment), null));
                }
                importer.run(rows, "property");
                i.who().stream().map(pool::get).filter(a -> !suppressed.containsKey(a)).forEach(imported::add);
            } else if (step instanceof Unsubscribe u) {
                EmailAddress a = pool.get(u.who());
                try {
                    p.subscribers.unsubscribe(a, "property");
                    suppressed.putIfAbsent(a, SubscriberStatus.UNSUBSCRIBED);
                } catch (NotFoundException e) {
                    // no profile yet: nothing to unsubscribe (the API answers 404)
                }
            } else if (step instanceof Resubscribe r) {
                EmailAddress a = pool.get(r.who());
                try {
                    p.subscribers.resubscribe(a);
                    suppressed.remove(a, SubscriberStatus.UNSUBSCRIBED);
                } catch (NotFoundException | ConflictException e) {
                    // no profile, or bounced/complained: stays as it is
                }
            } else if (step instanceof Bounce || step instanceof Complain) {
                // What apply-engagement does for a provider's hard bounce or complaint, profile or not.
                EmailAddress a = pool.get(step instanceof Bounce b ? b.who() : ((Complain) step).who());
                SubscriberStatus reason = step instanceof Bounce ? SubscriberStatus.BOUNCED : SubscriberStatus.COMPLAINED;
                p.subscribers.suppress(a, reason, "ses webhook: property");
                suppressed.putIfAbsent(a, reason);
            } else {
                String marker = p.run + "-" + sends++;
                send(p, segment, marker);
                Map<String, Integer> expected = new TreeMap<>();
                imported.stream().filter(a -> !suppressed.containsKey(a)).forEach(a -> expected.put(a.key(), 1));
                assertEquals(expected, received(marker), "after " + all.subList(0, index + 1)
                        + " with suppressions " + suppressed);
            }
        }
    }

    /**
     * The address pool: a few addresses per sequence, unique to it so sequences don't see each other's mail. The last
     * two are the first two in other letter cases - one person each (issue 8, item 3) - so the sequences also cover
     * "unsubscribed in one case, never mailed in another" and "imported twice in two cases, mailed once".
     */
    static List<EmailAddress> addresses(String run) {
        return List.of(EmailAddress.parse("a0-" + run + "@example.com"), EmailAddress.parse("a1-" + run + "@example.com"),
                EmailAddress.parse("A0-" + run + "@Example.COM"), EmailAddress.parse("a1-" + run.toUpperCase() + "@example.com"));
    }

    /** A random sequence: imports weigh 3, unsubscribes, re-subscribes and sends 2, bounces and complaints 1. */
    static List<Step> steps(Random random) {
        List<Step> steps = new ArrayList<>();
        int length = random.nextInt(MAX_STEPS + 1);
        for (int i = 0; i < length; i++) {
            int who = random.nextInt(POOL);
            int pick = random.nextInt(11);
            if (pick < 3) {
                List<Integer> everyone = new ArrayList<>(List.of(0, 1, 2, 3));
                java.util.Collections.shuffle(everyone, random);
                steps.add(new Import(List.copyOf(everyone.subList(0, 1 + random.nextInt(POOL)))));
            } else if (pick < 5) {
                steps.add(new Unsubscribe(who));
            } else if (pick < 7) {
                steps.add(new Resubscribe(who));
            } else if (pick < 8) {
                steps.add(new Bounce(who));
            } else if (pick < 9) {
                steps.add(new Complain(who));
            } else {
                steps.add(new Send());
            }
        }
        return steps;
    }

    private static void send(Pipeline p, String segment, String marker) throws Exception {
        Campaign c = p.campaigns.create(new CampaignDraft("Property " + marker, "news@example.com", "Example News", null,
                new CampaignContent("Issue " + marker, null, "<p>Hi {{default firstName \"there\"}}</p>"
                        + "<a href=\"{{unsubscribeUrl}}\">Unsubscribe</a>", null),
                List.of(), List.of(segment), List.of(), List.of("ses")));
        p.campaigns.send(c.id(), null);
        p.drive(c.id(), Map.of("ses", new SesProvider(SES, null)), 3, 2, Duration.ofSeconds(60));
    }

    /** Messages per address identity (lower-cased) in the local SES's store whose subject carries this send's marker. */
    private static Map<String, Integer> received(String marker) throws Exception {
        JsonNode store = JSON.readTree(HTTP.send(HttpRequest.newBuilder(TestStack.aws().sesEndpoint().resolve("/store"))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body());
        Map<String, Integer> counts = new TreeMap<>();
        for (JsonNode email : store.path("emails")) {
            if (!email.path("subject").asText().contains(marker)) {
                continue;
            }
            for (JsonNode to : email.path("destination").path("to")) {
                counts.merge(to.asText().replaceAll(".*<([^>]+)>.*", "$1").strip().toLowerCase(java.util.Locale.ROOT), 1,
                        Integer::sum);
            }
        }
        return counts;
    }

    @AfterAll
    static void close() {
        SES.close();
        IMPORTS.shutdown();
    }
}
