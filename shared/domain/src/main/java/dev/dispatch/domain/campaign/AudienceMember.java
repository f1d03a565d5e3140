package dev.dispatch.domain.campaign;

import dev.dispatch.domain.consent.ConfirmationCampaigns;
import dev.dispatch.domain.subscriber.PendingOptIn;
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
        if (ConfirmationCampaigns.is(campaign.id())) {
            return confirmation(campaign, subscriber);
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

    /**
     * A double opt-in confirmation goes only to someone whose request for the segment is still pending with this
     * campaign (confirmed meanwhile, or the request dropped: nothing to confirm), and never to a suppressed address.
     * Pending segments are no segments of the profile, so ordinary campaigns never reach them (the rule above).
     */
    private static Verdict confirmation(Campaign campaign, Subscriber subscriber) {
        if (subscriber == null || subscriber.createdAt() == null) {
            return subscriber != null && !subscriber.mailable() ? Verdict.SUPPRESSED : Verdict.OUTSIDE;
        }
        if (!subscriber.mailable()) {
            return Verdict.SUPPRESSED;
        }
        PendingOptIn pending = campaign.segments().isEmpty() ? null
                : subscriber.optIns().pending().get(campaign.segments().get(0));
        return pending != null && campaign.id().equals(pending.campaign()) ? Verdict.RECIPIENT : Verdict.OUTSIDE;
    }
}
