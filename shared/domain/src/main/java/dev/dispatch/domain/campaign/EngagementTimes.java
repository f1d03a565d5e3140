package dev.dispatch.domain.campaign;

import dev.dispatch.domain.engagement.EngagementStore;
import dev.dispatch.domain.engagement.EngagementType;
import dev.dispatch.domain.engagement.HistoryPage;
import dev.dispatch.domain.subscriber.EmailAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** When recipients opened and clicked lately: what send-time planning learns zones and best hours from. */
public interface EngagementTimes {

    /** For each address, the times of its latest opens and clicks (at most {@code limit} events looked at). */
    Map<EmailAddress, List<Instant>> opensAndClicks(List<EmailAddress> emails, int limit);

    /** From each subscriber's event history (one page read per address, newest first). */
    static EngagementTimes from(EngagementStore store) {
        return (emails, limit) -> {
            Map<EmailAddress, List<Instant>> result = new HashMap<>();
            for (EmailAddress email : emails) {
                List<Instant> times = new ArrayList<>();
                for (HistoryPage.Entry e : store.history(email, null, limit).events()) {
                    if (EngagementType.OPENED.name().equals(e.type()) || EngagementType.CLICKED.name().equals(e.type())) {
                        times.add(e.occurredAt());
                    }
                }
                result.put(email, times);
            }
            return result;
        };
    }
}
