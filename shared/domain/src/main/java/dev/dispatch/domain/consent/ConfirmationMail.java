package dev.dispatch.domain.consent;

import dev.dispatch.domain.campaign.CampaignStore;
import dev.dispatch.domain.campaign.LedgerBatch;
import dev.dispatch.domain.campaign.LedgerRecipient;
import dev.dispatch.domain.campaign.NewBatch;
import dev.dispatch.domain.campaign.SendLedger;
import dev.dispatch.domain.campaign.SendQueue;
import dev.dispatch.domain.subscriber.AddressMigration;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.PendingOptIn;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Queues a pending opt-in's confirmation mail: a one-recipient batch of the segment's confirmation campaign, fixed
 * in the send ledger under the number stored in the pending opt-in, then put on the send queue. Asking again for
 * the same opt-in finds the batch in the ledger (conditional create) and at most queues it again if it is not done
 * yet; send-batch's claim makes a second delivery a no-op. So a retry, a re-import or a crash between the profile
 * write and the queueing never sends a second mail, and never loses the first.
 */
public class ConfirmationMail {
    /** How long a request may spend finishing the address migration before it queues a confirmation. */
    static final Duration MIGRATION_BUDGET = Duration.ofSeconds(5);

    private final SendLedger ledger;
    private final SendQueue queue;
    private final CampaignStore campaigns;
    private final AddressMigration migration;
    private final Clock clock;

    public ConfirmationMail(SendLedger ledger, SendQueue queue, CampaignStore campaigns, AddressMigration migration,
            Clock clock) {
        this.ledger = ledger;
        this.queue = queue;
        this.campaigns = campaigns;
        this.migration = migration;
        this.clock = clock;
    }

    public void ensureQueued(EmailAddress email, PendingOptIn pending) {
        // send-batch holds every batch until the suppressions are under their identities, and only a run of the
        // migration says so; enqueue-campaign runs it before a campaign, so on a deployment that has not sent one
        // yet a confirmation would wait for it. It is idempotent and, with nothing to move, done in a few reads.
        if (!migration.suppressionsMoved()) {
            migration.runUntil(clock.instant().plus(MIGRATION_BUDGET));
        }
        NewBatch batch = new NewBatch(pending.batch(), List.of(new LedgerRecipient(email.key(), null)), email.key(), 0, 0);
        if (ledger.create(pending.campaign(), batch)) {
            campaigns.addCounters(pending.campaign(), Map.of("recipients", 1L));
            queue.enqueue(pending.campaign(), List.of(pending.batch()));
            return;
        }
        boolean done = ledger.find(pending.campaign(), pending.batch())
                .map(b -> b.state() == LedgerBatch.State.DONE).orElse(true);
        if (!done) {
            queue.enqueue(pending.campaign(), List.of(pending.batch())); // a crash before it was queued: queue it now
        }
    }
}
