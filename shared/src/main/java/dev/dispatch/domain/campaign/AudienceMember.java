package dev.dispatch.domain.campaign;

import dev.dispatch.domain.subscriber.Subscriber;
import dev.dispatch.domain.subscriber.SubscriberStatus;
import java.util.Collections;

/** Who of a segment page belongs to a campaign's audience, and why not. */
public final class AudienceMember {
    public enum Verdict {
        RECIPIENT,
        SUPPRESSED,
        EXCLUDED,
        /** Not (or no longer) in any target segment: a stale index entry, not an audience member at all. */
        OUTSIDE
    }

    private AudienceMember() {}

    public static Verdict judge(Campaign campaign, Subscriber subscriber) {
        if (subscriber != null && subscriber.status() == SubscriberStatus.ERASED) {
            return Verdict.SUPPRESSED; // no profile is left, but the erasure is a suppression, not a stale entry
        }
        if (subscriber == null || subscriber.createdAt() == null
                || Collections.disjoint(subscriber.segments(), campaign.segments())) {
            return Verdict.OUTSIDE;
        }
        if (!Collections.disjoint(subscriber.segments(), campaign.excludedSegments())) {
            return Verdict.EXCLUDED;
        }
        return subscriber.mailable() ? Verdict.RECIPIENT : Verdict.SUPPRESSED;
    }
}
