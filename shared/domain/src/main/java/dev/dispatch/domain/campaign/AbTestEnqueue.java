package dev.dispatch.domain.campaign;

import dev.dispatch.domain.campaign.CampaignEnqueuer.Outcome;
import dev.dispatch.domain.campaign.CampaignEnqueuer.Selection;
import dev.dispatch.domain.campaign.CampaignEnqueuer.Walked;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * enqueue-campaign for an A/B test that decides. Two walks of the audience on the campaign's one cursor:
 * <ol>
 *   <li>the <b>sample walk</b> enqueues only the sample ({@link VariantAssignment#inSample}, a stable hash of campaign
 *   and address), each recipient with its variant; nobody else gets a ledger entry, so nothing can send them early;
 *   <li>once every sample batch is done, the decision time (now + wait) is fixed once; delayed wake-ups (at most
 *   SQS's 15 minutes each) come back until it passes;
 *   <li>the first wake-up after it decides from the per-variant counters ({@link AbTestDecider}) and stores the
 *   decision with a conditional write; a later or concurrent wake-up reads the stored one and never decides again;
 *   <li>the cursor starts again from the first address as the <b>remainder walk</b> (one conditional write that
 *   expects the complete sample cursor), which enqueues everyone outside the sample with the decided variant, batch
 *   numbers going on from the sample's. The normal watch then marks the campaign sent.
 * </ol>
 * Exactly once: the sample and the remainder are disjoint by the hash, each walk is the normal cursor-and-ledger walk
 * (a re-run follows stored batches), the remainder's batches are only created after the decision is stored and carry
 * the decided variant, and a duplicate or crashed wake-up anywhere either loses a conditional write or repeats an
 * idempotent step.
 */
final class AbTestEnqueue {
    private final CampaignEnqueuer enqueuer;
    private final CampaignStore campaigns;
    private final SendLedger ledger;
    private final EnqueueRequests wakeUps;
    private final Clock clock;
    private final Duration watchInterval;
    private final Duration checkInterval;

    AbTestEnqueue(CampaignEnqueuer enqueuer, CampaignStore campaigns, SendLedger ledger, EnqueueRequests wakeUps,
            Clock clock, Duration watchInterval, Duration checkInterval) {
        this.enqueuer = enqueuer;
        this.campaigns = campaigns;
        this.ledger = ledger;
        this.wakeUps = wakeUps;
        this.clock = clock;
        this.watchInterval = watchInterval;
        this.checkInterval = checkInterval;
    }

    Outcome run(Campaign campaign, Instant deadline) {
        EnqueueProgress progress = campaign.progress();
        if (progress.walk() == EnqueueProgress.REMAINDER_WALK) {
            AbTestDecision decision = campaigns.abTestState(campaign.id()).decision();
            if (decision == null) {
                throw new IllegalStateException("campaign " + campaign.id() + " walks its remainder without a decision");
            }
            return remainder(campaign, progress, decision, deadline);
        }
        Walked sample = enqueuer.walk(campaign, progress, deadline, sample(campaign));
        if (sample.stop() != null) {
            return sample.stop();
        }
        return awaitDecision(campaign, sample.progress(), deadline);
    }

    private Outcome awaitDecision(Campaign campaign, EnqueueProgress sampleDone, Instant deadline) {
        String id = campaign.id();
        AbTest test = campaign.abTest();
        AbTestState state = campaigns.abTestState(id);
        AbTestDecision decision = state.decision();
        if (decision == null) {
            Instant now = clock.instant();
            Instant decideAt = state.decideAt();
            if (decideAt == null) {
                if (ledger.countDone(id) < sampleDone.nextBatch()) {
                    // The wait counts from when the whole sample was sent, not from when it was queued.
                    wakeUps.request(id, watchInterval);
                    return Outcome.WAITING_FOR_SAMPLE;
                }
                decideAt = campaigns.fixAbTestDecideAt(id, now.plus(test.waitTime()));
            }
            if (now.isBefore(decideAt)) {
                Duration left = Duration.between(now, decideAt);
                wakeUps.request(id, left.compareTo(checkInterval) > 0 ? checkInterval : left);
                return Outcome.WAITING_FOR_TEST;
            }
            decision = campaigns.fixAbTestDecision(id,
                    AbTestDecider.decide(test, campaign.variants(), campaigns.counters(id), now));
        }
        EnqueueProgress rest = new EnqueueProgress(null, sampleDone.nextBatch(), false, null,
                EnqueueProgress.REMAINDER_WALK);
        if (!campaigns.restart(id, sampleDone, rest)) {
            return Outcome.LOST_RACE; // another wake-up started the remainder walk first; it carries on
        }
        return remainder(campaign, rest, decision, deadline);
    }

    private Outcome remainder(Campaign campaign, EnqueueProgress progress, AbTestDecision decision, Instant deadline) {
        Walked rest = enqueuer.walk(campaign, progress, deadline, remainder(campaign, decision));
        return rest.stop() != null ? rest.stop() : enqueuer.watch(campaign.id(), rest.progress());
    }

    /** The sample walk: the sample only, split among the variants by their percentages. */
    static Selection sample(Campaign campaign) {
        int percent = campaign.abTest().samplePercent();
        return new Selection() {
            public boolean includes(String key) {
                return VariantAssignment.inSample(campaign.id(), key, percent);
            }

            public String variant(String key) {
                return VariantAssignment.variantFor(campaign.id(), key, campaign.variants());
            }
        };
    }

    /** The remainder walk: everyone outside the sample, with the decided variant (or split on, as in the sample). */
    static Selection remainder(Campaign campaign, AbTestDecision decision) {
        int percent = campaign.abTest().samplePercent();
        boolean split = AbTest.SPLIT.equals(decision.sendTo());
        return new Selection() {
            public boolean includes(String key) {
                return !VariantAssignment.inSample(campaign.id(), key, percent);
            }

            public String variant(String key) {
                return split ? VariantAssignment.variantFor(campaign.id(), key, campaign.variants()) : decision.sendTo();
            }
        };
    }
}
