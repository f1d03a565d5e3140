package dev.dispatch.domain.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dispatch.domain.engagement.EngagementStore;
import dev.dispatch.domain.engagement.HistoryPage;
import dev.dispatch.domain.subscriber.EmailAddress;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Engagement times are the opens and clicks of a recipient's history, nothing else. */
class EngagementTimesTest {
    private static HistoryPage.Entry event(String type, String at) {
        return new HistoryPage.Entry(Instant.parse(at), type, "ses", "cmp", null, null, null, null, true);
    }

    @Test
    void givenAHistoryOfMixedEvents_whenAsked_thenOnlyOpensAndClicksCountWithinTheLimit() {
        EmailAddress ada = new EmailAddress("ada@example.com");
        EmailAddress bob = new EmailAddress("bob@example.com");
        List<HistoryPage.Entry> adaEvents = List.of(event("OPENED", "2026-11-02T08:00:00Z"),
                event("DELIVERED", "2026-11-02T07:59:00Z"), event("CLICKED", "2026-11-01T21:00:00Z"),
                event("BOUNCED", "2026-10-01T10:00:00Z"));
        int[] limitAsked = new int[1];
        EngagementStore store = (EngagementStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {EngagementStore.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("history")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    limitAsked[0] = (int) args[2];
                    return new HistoryPage(args[0].equals(ada) ? adaEvents : List.of(), null);
                });
        Map<EmailAddress, List<Instant>> times = EngagementTimes.from(store).opensAndClicks(List.of(ada, bob), 50);
        assertEquals(List.of(Instant.parse("2026-11-02T08:00:00Z"), Instant.parse("2026-11-01T21:00:00Z")), times.get(ada));
        assertEquals(List.of(), times.get(bob));
        assertEquals(50, limitAsked[0]);
    }
}
