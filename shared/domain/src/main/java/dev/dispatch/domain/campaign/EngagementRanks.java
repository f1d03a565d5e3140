package dev.dispatch.domain.campaign;

import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.warming.EngagementRank;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The engagement rank of each of a page of recipients, as of {@code now}; a subscriber never seen is never-engaged. */
public interface EngagementRanks {
    Map<EmailAddress, EngagementRank> ranks(List<EmailAddress> emails, Instant now);
}
