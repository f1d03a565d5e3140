package dev.dispatch.domain.engagement;

import dev.dispatch.domain.subscriber.EmailAddress;
import java.util.List;
import java.util.Map;

/** Read-only: the engagement state of many subscribers at once (batched reads); those never seen are absent. */
public interface EngagementStates {
    Map<EmailAddress, SubscriberEngagement> states(List<EmailAddress> emails);
}
