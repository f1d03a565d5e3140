package dev.dispatch.adapter.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.TestStack;
import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.config.ProviderSettings;
import dev.dispatch.domain.pacing.AimdState;
import dev.dispatch.domain.pacing.SharedPacing;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The pacing store on dynalite with the template's control table: ADD counters, TTL attribute, conditional cut. */
class PacingOnDynamoDbTest {
    private final DynamoDbClient dynamoDb = TestStack.aws().dynamoDb();
    private final String table = TestStack.aws().resources().tableName("ControlTable");
    private final DynamoDbPacingStore store = new DynamoDbPacingStore(dynamoDb, table);
    private final String provider = "postmark";
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void givenConcurrentAdders_whenTheyAddToOneWindow_thenEachSeesADistinctCountAndTheItemExpires() throws Exception {
        String key = "rate#test-" + run + "#1796205600";
        Instant expires = Instant.parse("2026-12-02T10:10:00Z");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Long>> afters = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            afters.add(pool.submit(() -> store.add(key, 5, expires)));
        }
        List<Long> seen = new ArrayList<>();
        for (Future<Long> f : afters) {
            seen.add(f.get());
        }
        pool.shutdown();
        assertEquals(30, seen.stream().distinct().count(), "every adder saw its own count: " + seen);
        assertEquals(150L, seen.stream().mapToLong(Long::longValue).max().orElseThrow());
        assertEquals(150, store.read(key));
        assertEquals(145, store.add(key, -5, expires), "a negative ADD gives back");
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).key(Map.of(
                "pk", AttributeValue.fromS(key), "sk", AttributeValue.fromS(DynamoDbPacingStore.SK)))).item();
        assertEquals(Long.toString(expires.getEpochSecond()), item.get("expiresAt").n(), "TTL attribute, a Number");
        assertEquals(0, store.read("rate#test-" + run + "#never"));
    }

    @Test
    void givenACutMomentsAgo_whenAnotherInstanceCuts_thenTheStoreRefusesItUntilTheSpacingHasPassed() {
        String p = "test-" + run;
        Instant t0 = Instant.parse("2026-12-02T10:00:00Z");
        assertTrue(store.aimd(p).isEmpty());
        assertTrue(store.cut(p, new AimdState(50, t0), t0.minus(AimdState.CUT_SPACING)));
        assertFalse(store.cut(p, new AimdState(25, t0.plusSeconds(1)), t0.plusSeconds(1).minus(AimdState.CUT_SPACING)));
        assertEquals(new AimdState(50, t0), store.aimd(p).orElseThrow());
        assertTrue(store.cut(p, new AimdState(30, t0.plusSeconds(2)), t0.plusSeconds(2).minus(AimdState.CUT_SPACING)));
        assertEquals(30, store.aimd(p).orElseThrow().rateAfterCut());
    }

    @Test
    void givenSharedPacingOnDynamoDb_whenSeveralInstancesAskInOneSecond_thenTheGrantsAddUpToTheRate() {
        Instant inSecond = Instant.parse("2026-12-02T11:00:00.100Z");
        Clock fixed = Clock.fixed(inSecond, ZoneOffset.UTC);
        ProviderCatalog catalog = ProviderCatalog.of(List.of(new ProviderSettings(provider, 20, 45, 500, true, List.of())));
        String p = provider;
        // a store per run: the provider's keys are shared by every test using the table, so use a run-unique table key space
        DynamoDbPacingStore runStore = new DynamoDbPacingStore(dynamoDb, table) {
            @Override
            public long add(String key, long n, Instant expiresAt) {
                return super.add(key + "#" + run, n, expiresAt);
            }
        };
        int granted = 0;
        for (int i = 0; i < 5; i++) {
            granted += new SharedPacing(runStore, catalog, fixed).acquire(p, 7).granted();
        }
        assertEquals(20, granted);
        Clock later = Clock.fixed(inSecond.plusSeconds(1), ZoneOffset.UTC);
        SharedPacing next = new SharedPacing(runStore, catalog, later);
        assertEquals(20, next.acquire(p, 30).granted());
        assertEquals(5, new SharedPacing(runStore, catalog, Clock.fixed(inSecond.plusSeconds(2), ZoneOffset.UTC))
                .acquire(p, 30).granted(), "the day's quota of 45 leaves 5");
    }
}
