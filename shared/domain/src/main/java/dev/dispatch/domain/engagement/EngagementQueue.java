package dev.dispatch.domain.engagement;

import java.util.List;

/**
 * Where verified events wait to be applied. {@link #submit} returns only once every event is stored durably (a
 * webhook is answered 2xx only then); an exception means some may not be, and the sender must retry (duplicates
 * are harmless: applying dedupes by event identity).
 */
public interface EngagementQueue {

    void submit(List<EngagementEvent> events);
}
