package dev.dispatch.adapter.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.TestStack;
import dev.dispatch.domain.routing.CallTally;
import dev.dispatch.domain.routing.CircuitState;
import dev.dispatch.domain.routing.ProviderHealth;
import dev.dispatch.domain.routing.ProviderOverride;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The shared provider health, breaker transitions and audited overrides on the local DynamoDB (dynalite). */
class ProviderControlOnDynamoDbTest {
    private static final Duration WINDOW = Duration.ofSeconds(60);
    private final DynamoDbClient dynamoDb = TestStack.aws().dynamoDb();
    private final String table = TestStack.aws().resources().tableName("ControlTable");
    private final String provider = "p-" + UUID.randomUUID().toString().substring(0, 8);
    private final Instant t0 = Instant.parse("2026-12-02T10:00:00Z");

    private DynamoDbProviderControl control() {
        return new DynamoDbProviderControl(dynamoDb, table); // a new instance per send-batch container
    }

    @Test
    void callsAddUpAcrossInstancesWithinTheWindowAndOldBucketsLeaveIt() {
        DynamoDbProviderControl a = control();
        DynamoDbProviderControl b = control();
        a.record(provider, new CallTally(2, 1, 0), t0, WINDOW);
        ProviderHealth h = b.record(provider, new CallTally(3, 2, 7), t0.plusSeconds(20), WINDOW);
        assertEquals(5, h.windowCalls());
        assertEquals(3, h.windowFailures());
        assertEquals(7, h.windowFailovers());
        assertEquals(7, h.failoversTotal());
        assertEquals(t0.plusSeconds(20), h.lastFailoverAt());
        assertEquals(CircuitState.CLOSED, h.state());
        // 75 s later the first calls are out of the window, the second ones (at +20 s) still in it.
        ProviderHealth later = a.read(List.of(provider), t0.plusSeconds(75), WINDOW).health(provider);
        assertEquals(3, later.windowCalls());
        // A write after that drops the stale bucket from the item; totals stay.
        ProviderHealth after = a.record(provider, new CallTally(1, 0, 0), t0.plusSeconds(200), WINDOW);
        assertEquals(1, after.windowCalls());
        assertEquals(7, after.failoversTotal());
        var item = dynamoDb.getItem(r -> r.tableName(table).key(java.util.Map.of("pk",
                software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("health#" + provider),
                "sk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("health")))).item();
        assertFalse(item.containsKey("c" + (t0.getEpochSecond() - t0.getEpochSecond() % 10)), item.keySet().toString());
    }

    @Test
    void ofManyInstancesExactlyOneOpensTheBreakerAndExactlyOneProbes() throws Exception {
        control().record(provider, new CallTally(3, 3, 0), t0, WINDOW);
        assertEquals(1, concurrently(8, () -> control().open(provider, t0.plusSeconds(1))));
        ProviderHealth open = control().read(List.of(provider), t0.plusSeconds(2), WINDOW).health(provider);
        assertEquals(CircuitState.OPEN, open.state());
        assertEquals(t0.plusSeconds(1), open.openedAt());
        assertEquals(1, open.opens());

        Instant due = t0.plusSeconds(40);
        assertEquals(1, concurrently(8, () -> control().claimProbe(provider, open, UUID.randomUUID().toString(), due,
                due.plusSeconds(120))));
        ProviderHealth probing = control().read(List.of(provider), due, WINDOW).health(provider);
        assertEquals(CircuitState.HALF_OPEN, probing.state());
        assertFalse(control().claimProbe(provider, probing, "late", due.plusSeconds(1), due.plusSeconds(60)),
                "the prober's time has not run out");
        assertTrue(control().claimProbe(provider, probing, "rescuer", due.plusSeconds(121), due.plusSeconds(240)),
                "a prober that died is replaced after its time");

        control().settleProbe(provider, "someone-else", true, due.plusSeconds(122));
        assertEquals(CircuitState.HALF_OPEN, control().read(List.of(provider), due, WINDOW).health(provider).state(),
                "only the probe's owner settles it");
        control().settleProbe(provider, "rescuer", true, due.plusSeconds(130));
        ProviderHealth closed = control().read(List.of(provider), due.plusSeconds(131), WINDOW).health(provider);
        assertEquals(CircuitState.CLOSED, closed.state());
        assertNull(closed.probeOwner());
    }

    @Test
    void aSuccessfulProbeRestartsTheWindowSoEarlierFailuresDoNotReopen() {
        DynamoDbProviderControl c = control();
        c.record(provider, new CallTally(4, 4, 0), t0, WINDOW);
        assertTrue(c.open(provider, t0));
        ProviderHealth open = c.read(List.of(provider), t0.plusSeconds(31), WINDOW).health(provider);
        assertTrue(c.claimProbe(provider, open, "me", t0.plusSeconds(31), t0.plusSeconds(151)));
        c.settleProbe(provider, "me", true, t0.plusSeconds(32));
        ProviderHealth closed = c.record(provider, new CallTally(1, 0, 0), t0.plusSeconds(45), WINDOW);
        assertEquals(CircuitState.CLOSED, closed.state());
        assertEquals(0, closed.windowFailures(), "failures before the close are settled");
        assertEquals(1, closed.windowCalls());
    }

    @Test
    void aFailedProbeOpensAgainAndAnUnusedOneIsGivenBack() {
        DynamoDbProviderControl c = control();
        c.record(provider, new CallTally(3, 3, 0), t0, WINDOW);
        c.open(provider, t0);
        ProviderHealth open = c.read(List.of(provider), t0.plusSeconds(31), WINDOW).health(provider);
        assertTrue(c.claimProbe(provider, open, "me", t0.plusSeconds(31), t0.plusSeconds(151)));
        c.returnProbe(provider, "me", open.openedAt());
        ProviderHealth back = c.read(List.of(provider), t0.plusSeconds(32), WINDOW).health(provider);
        assertEquals(CircuitState.OPEN, back.state());
        assertEquals(t0, back.openedAt());
        assertTrue(c.claimProbe(provider, back, "me-again", t0.plusSeconds(33), t0.plusSeconds(153)));
        c.settleProbe(provider, "me-again", false, t0.plusSeconds(34));
        ProviderHealth reopened = c.read(List.of(provider), t0.plusSeconds(35), WINDOW).health(provider);
        assertEquals(CircuitState.OPEN, reopened.state());
        assertEquals(t0.plusSeconds(34), reopened.openedAt());
        assertEquals(2, reopened.opens());
        assertFalse(c.claimProbe(provider, open, "stale-view", t0.plusSeconds(70), t0.plusSeconds(190)),
                "a view of the earlier opening cannot take the probe of the new one");
    }

    @Test
    void anOverrideIsAuditedAndMergedAndReadWithTheHealth() {
        DynamoDbProviderControl c = control();
        c.override(new ProviderOverride(provider, false, null, t0, "key-aaaaaaaaaaaa"));
        ProviderOverride merged = c.override(new ProviderOverride(provider, null, 7, t0.plusSeconds(5), "key-bbbbbbbbbbbb"));
        assertEquals(new ProviderOverride(provider, false, 7, t0.plusSeconds(5), "key-bbbbbbbbbbbb"), merged);
        assertEquals(merged, c.read(List.of(provider), t0.plusSeconds(6), WINDOW).overrides().get(provider));
        List<ProviderOverride> mine = c.audit(1000).stream().filter(o -> o.provider().equals(provider)).toList();
        assertEquals(List.of(new ProviderOverride(provider, null, 7, t0.plusSeconds(5), "key-bbbbbbbbbbbb"),
                new ProviderOverride(provider, false, null, t0, "key-aaaaaaaaaaaa")), mine, "newest first, as requested");
    }

    @Test
    void aClearedOverrideGivesBackTheConfiguredValuesAndIsAudited() {
        DynamoDbProviderControl c = control();
        c.override(new ProviderOverride(provider, false, 3, t0, "key-aaaaaaaaaaaa"));
        ProviderOverride cleared = c.override(ProviderOverride.clear(provider, t0.plusSeconds(5), "key-bbbbbbbbbbbb"));
        assertTrue(cleared.clears(), cleared.toString());
        ProviderOverride read = c.read(List.of(provider), t0.plusSeconds(6), WINDOW).overrides().get(provider);
        assertTrue(read == null || (read.enabled() == null && read.weight() == null), String.valueOf(read));
        ProviderOverride later = c.override(new ProviderOverride(provider, null, 9, t0.plusSeconds(7), "key-aaaaaaaaaaaa"));
        assertEquals(new ProviderOverride(provider, null, 9, t0.plusSeconds(7), "key-aaaaaaaaaaaa"), later,
                "nothing from before the removal comes back");
        List<ProviderOverride> mine = c.audit(1000).stream().filter(o -> o.provider().equals(provider)).toList();
        assertEquals(ProviderOverride.clear(provider, t0.plusSeconds(5), "key-bbbbbbbbbbbb"), mine.get(1));
    }

    private static int concurrently(int n, Callable<Boolean> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(task));
            }
            int wins = 0;
            for (Future<Boolean> f : futures) {
                wins += f.get() ? 1 : 0;
            }
            return wins;
        } finally {
            pool.shutdownNow();
        }
    }
}
