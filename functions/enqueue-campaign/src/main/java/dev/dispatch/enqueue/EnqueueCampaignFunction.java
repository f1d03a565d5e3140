package dev.dispatch.enqueue;

import dev.dispatch.domain.campaign.AbTest;
import dev.dispatch.domain.campaign.AbTestDecision;
import dev.dispatch.domain.campaign.CampaignEnqueuer;
import io.quarkus.funqy.Funq;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** SQS: one wake-up of a campaign (start, continue, resume, watch). The work is in {@link CampaignEnqueuer}. */
public class EnqueueCampaignFunction {
    private static final Logger LOG = Logger.getLogger(EnqueueCampaignFunction.class);

    @RegisterForReflection
    public record WakeUp(String campaignId) {}

    /** The A/B test's and send time's stored JSON (the campaign definition and the decision) is read and written by Jackson. */
    @RegisterForReflection(targets = {AbTest.class, AbTest.Metric.class, AbTestDecision.class, AbTestDecision.Arm.class,
            AbTestDecision.Comparison.class, dev.dispatch.domain.campaign.SendTime.class,
            dev.dispatch.domain.campaign.SendTime.Mode.class})
    static final class AbTestJson {
        private AbTestJson() {}
    }

    @Inject
    CampaignEnqueuer enqueuer;

    /** The enqueuer's clock, so the time budget is measured on the same time it compares against. */
    @Inject
    Clock clock;

    /** Stop paging early enough to hand over to a follow-up invocation before the Lambda timeout. */
    @ConfigProperty(name = "dispatch.enqueue.time-budget", defaultValue = "PT10M")
    Duration timeBudget;

    @Funq
    public void enqueueCampaign(WakeUp wakeUp) {
        if (wakeUp == null || wakeUp.campaignId() == null) {
            // Funqy logs nothing for a failed record; say why before it goes back to the queue (then to the DLQ).
            LOG.error("enqueue message without campaignId");
            throw new IllegalArgumentException("enqueue message without campaignId");
        }
        try {
            CampaignEnqueuer.Outcome outcome = enqueuer.handle(wakeUp.campaignId(), clock.instant().plus(timeBudget));
            LOG.infof("campaign %s: %s", wakeUp.campaignId(), outcome);
        } catch (RuntimeException e) {
            LOG.errorf(e, "campaign %s: enqueue failed; the message will be retried", wakeUp.campaignId());
            throw e;
        }
    }
}
