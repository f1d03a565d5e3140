package dev.dispatch.domain.campaign;

import dev.dispatch.domain.routing.ProviderAvailability;
import dev.dispatch.domain.subscriber.AddressMigration;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.Subscriber;
import dev.dispatch.domain.subscriber.SubscriberStore;
import dev.dispatch.domain.warming.WarmingConfig;
import dev.dispatch.domain.warming.WarmingStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * enqueue-campaign's use case: walks the target segments together in address order, fixes each slice of the
 * audience as a numbered batch in the send ledger, puts the batch numbers on the send queue and only then moves
 * the campaign's cursor. A crash anywhere re-runs from the cursor: batches already fixed are found by number and
 * their stored range is followed, so nobody is enqueued twice and nobody is skipped. It stops before its time
 * budget and asks for a follow-up invocation; once everything is enqueued it watches until every batch is done
 * and then marks the campaign sent.
 */
public class CampaignEnqueuer {
    /** How long a scheduled campaign's wake-up may be delayed at most (SQS's DelaySeconds limit). */
    static final Duration MAX_DELAY = Duration.ofMinutes(15);
    public static final Duration WATCH_INTERVAL = Duration.ofSeconds(5);
    /** How soon to look again while another invocation runs the address migration. */
    static final Duration MIGRATION_WAIT = Duration.ofSeconds(30);

    private final CampaignStore campaigns;
    private final SubscriberStore subscribers;
    private final SendLedger ledger;
    private final SendQueue sendQueue;
    private final EnqueueRequests wakeUps;
    private final Clock clock;
    private final int batchSize;
    private final int pageSize;
    private final Duration watchInterval;
    private final AddressMigration migration;
    /** Null: no warming step (every campaign enqueued as before). */
    private final PooledEnqueue pooled;
    private final AbTestEnqueue abTests;
    /** Null: send-time campaigns can't be enqueued by this instance (they fail and go to the DLQ). */
    private final WaveEnqueue waves;

    /** What enqueue-campaign needs for campaigns with a send time: the wave plans and the recipients' engagement. */
    public record SendTimes(WavePlan plans, EngagementTimes times) {}

    /**
     * What enqueue-campaign needs to honour warming plans.
     *
     * @param releaseInterval how long recipients over the allowance wait before the next release attempt (at most
     *     {@link #MAX_DELAY}, SQS's delay limit)
     * @param providers which providers may take a plan's overflow ({@code overAllowance: route}) now
     */
    public record Warming(WarmingConfig config, WarmingStore plans, WarmingPool pool, EngagementRanks ranks,
            Duration releaseInterval, ProviderAvailability providers) {
        public Warming {
            if (releaseInterval.isNegative() || releaseInterval.compareTo(MAX_DELAY) > 0) {
                throw new IllegalArgumentException("releaseInterval must be between 0 and " + MAX_DELAY);
            }
        }

        /** Every provider counts as healthy for overflow routing (tests and tools without shared provider state). */
        public Warming(WarmingConfig config, WarmingStore plans, WarmingPool pool, EngagementRanks ranks,
                Duration releaseInterval) {
            this(config, plans, pool, ranks, releaseInterval, ProviderAvailability.ALL);
        }
    }

    public CampaignEnqueuer(CampaignStore campaigns, SubscriberStore subscribers, SendLedger ledger, SendQueue sendQueue,
            EnqueueRequests wakeUps, AddressMigration migration, Clock clock, int batchSize, int pageSize) {
        this(campaigns, subscribers, ledger, sendQueue, wakeUps, migration, clock, batchSize, pageSize, WATCH_INTERVAL);
    }

    public CampaignEnqueuer(CampaignStore campaigns, SubscriberStore subscribers, SendLedger ledger, SendQueue sendQueue,
            EnqueueRequests wakeUps, AddressMigration migration, Clock clock, int batchSize, int pageSize,
            Duration watchInterval) {
        this(campaigns, subscribers, ledger, sendQueue, wakeUps, migration, clock, batchSize, pageSize, watchInterval,
                null, MAX_DELAY);
    }

    /** An enqueuer that pools and releases a campaign under an enabled, warming plan (see {@link PooledEnqueue}). */
    public CampaignEnqueuer(CampaignStore campaigns, SubscriberStore subscribers, SendLedger ledger, SendQueue sendQueue,
            EnqueueRequests wakeUps, AddressMigration migration, Clock clock, int batchSize, int pageSize,
            Duration watchInterval, Warming warming) {
        this(campaigns, subscribers, ledger, sendQueue, wakeUps, migration, clock, batchSize, pageSize, watchInterval,
                warming, MAX_DELAY);
    }

    /**
     * @param abTestCheckInterval how often an A/B test's wait is looked at (at most {@link #MAX_DELAY}, SQS's delay
     *     limit; a shorter one only matters where the clock is moved by a test)
     */
    public CampaignEnqueuer(CampaignStore campaigns, SubscriberStore subscribers, SendLedger ledger, SendQueue sendQueue,
            EnqueueRequests wakeUps, AddressMigration migration, Clock clock, int batchSize, int pageSize,
            Duration watchInterval, Warming warming, Duration abTestCheckInterval) {
        this(campaigns, subscribers, ledger, sendQueue, wakeUps, migration, clock, batchSize, pageSize, watchInterval,
                warming, abTestCheckInterval, null);
    }

    /**
     * @param abTestCheckInterval how often an A/B test's wait, or a send-time campaign's next wave, is looked at
     * @param sendTimes the wave plans, null if this instance enqueues no campaign with a send time
     */
    public CampaignEnqueuer(CampaignStore campaigns, SubscriberStore subscribers, SendLedger ledger, SendQueue sendQueue,
            EnqueueRequests wakeUps, AddressMigration migration, Clock clock, int batchSize, int pageSize,
            Duration watchInterval, Warming warming, Duration abTestCheckInterval, SendTimes sendTimes) {
        if (abTestCheckInterval.isNegative() || abTestCheckInterval.isZero() || abTestCheckInterval.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("abTestCheckInterval must be above 0 and at most " + MAX_DELAY);
        }
        this.campaigns = campaigns;
        this.subscribers = subscribers;
        this.ledger = ledger;
        this.sendQueue = sendQueue;
        this.wakeUps = wakeUps;
        this.clock = clock;
        this.batchSize = batchSize;
        this.pageSize = pageSize;
        this.watchInterval = watchInterval;
        this.migration = migration;
        this.pooled = warming == null ? null : new PooledEnqueue(this, warming, campaigns, ledger, sendQueue, wakeUps,
                clock, batchSize);
        this.abTests = new AbTestEnqueue(this, campaigns, ledger, wakeUps, clock, watchInterval, abTestCheckInterval);
        this.waves = sendTimes == null ? null : new WaveEnqueue(this, sendTimes.plans(), sendTimes.times(), campaigns,
                ledger, sendQueue, wakeUps, clock, batchSize, abTestCheckInterval);
    }

    public enum Outcome {
        NOTHING_TO_DO, WAITING_FOR_SCHEDULE, CONTINUES, WATCHING, SENT, PAUSED, LOST_RACE, WAITING_FOR_MIGRATION,
        /** Warming: the rest of the pool waits for the plan's allowance (a delayed wake-up is queued). */
        WAITING_FOR_ALLOWANCE,
        /** A/B test: the sample is enqueued; its batches are not all sent yet (the wait starts when they are). */
        WAITING_FOR_SAMPLE,
        /** A/B test: the sample was sent; the test decides when its wait is over (a delayed wake-up is queued). */
        WAITING_FOR_TEST,
        /** Send time: the next wave's instant has not come (a delayed wake-up is queued). */
        WAITING_FOR_WAVE
    }

    /** Handles one wake-up of a campaign; works until {@code deadline} at most. */
    public Outcome handle(String campaignId, Instant deadline) {
        Campaign campaign = campaigns.find(campaignId).orElse(null);
        if (campaign == null) {
            return Outcome.NOTHING_TO_DO;
        }
        switch (campaign.status()) {
            case SCHEDULED -> {
                Instant now = clock.instant();
                if (campaign.sendAt() != null && campaign.sendAt().isAfter(now)) {
                    Duration wait = Duration.between(now, campaign.sendAt());
                    wakeUps.request(campaignId, wait.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : wait);
                    return Outcome.WAITING_FOR_SCHEDULE;
                }
                if (!campaigns.transition(campaignId, CampaignStatus.SCHEDULED, CampaignStatus.SENDING, campaign.sendAt(), now)) {
                    return Outcome.LOST_RACE;
                }
                return enqueue(campaigns.find(campaignId).orElseThrow(), deadline);
            }
            case SENDING -> {
                return enqueue(campaign, deadline);
            }
            case PAUSED -> {
                return Outcome.PAUSED;
            }
            case CANCELLED -> {
                // A send-time campaign's waves not yet enqueued: their recipients are recorded as cancelled.
                return campaign.sendTime() != null ? sendTimeWaves().drop(campaign) : Outcome.NOTHING_TO_DO;
            }
            default -> {
                return Outcome.NOTHING_TO_DO;
            }
        }
    }

    private Outcome enqueue(Campaign campaign, Instant deadline) {
        // Segments are walked in identity order and each person must be in a segment once: records of earlier
        // versions (keyed in another letter case) are moved first. The first campaign after an upgrade does it.
        if (!migration.complete() && !migration.runUntil(deadline)) {
            wakeUps.request(campaign.id(), MIGRATION_WAIT);
            return Outcome.WAITING_FOR_MIGRATION;
        }
        EnqueueProgress progress = campaign.progress();
        if (campaign.sendTime() != null) {
            // Waves in each recipient's own time; warming does not pool them (see README).
            return sendTimeWaves().run(campaign, deadline);
        }
        if (campaign.abTest() != null) {
            // An A/B test walks twice (sample, then the rest after the decision); warming does not pool it (see README).
            return abTests.run(campaign, deadline);
        }
        if (pooled != null && progress.equals(EnqueueProgress.START)) {
            // A pooled campaign keeps the START cursor until its whole pool is released; any other cursor means the
            // campaign is (or was decided to be) enqueued the normal way.
            WarmingPool.Mode mode = pooled.modeOf(campaign);
            if (mode.pooled()) {
                return pooled.run(campaign, mode.plan(), deadline);
            }
        }
        Walked walked = walk(campaign, progress, deadline, Selection.everyone(campaign));
        return walked.stop() != null ? walked.stop() : watch(campaign.id(), walked.progress());
    }

    private WaveEnqueue sendTimeWaves() {
        if (waves == null) {
            throw new IllegalStateException("a campaign with a send time, and no wave plans configured");
        }
        return waves;
    }

    /**
     * Who of the audience a walk enqueues and with which variant. Addresses a walk does not include are neither
     * enqueued nor counted by it (another walk of the same campaign does).
     */
    interface Selection {
        boolean includes(String key);

        /** The variant of an included recipient (null: the campaign's own content). */
        String variant(String key);

        /** The whole audience, variants split by their percentages: a campaign without a deciding A/B test. */
        static Selection everyone(Campaign campaign) {
            return new Selection() {
                public boolean includes(String key) {
                    return true;
                }

                public String variant(String key) {
                    return VariantAssignment.variantFor(campaign.id(), key, campaign.variants());
                }
            };
        }
    }

    /** Where a walk stopped: {@code stop} null when it is complete at {@code progress}. */
    record Walked(Outcome stop, EnqueueProgress progress) {}

    /**
     * The audience walk: page by page from {@code progress}, each page fixed as ledger batches and queued before the
     * cursor moves, until the walk is complete, the campaign leaves {@code sending}, another invocation moved the
     * cursor first, or the time budget is used (a follow-up wake-up is queued).
     */
    Walked walk(Campaign campaign, EnqueueProgress progress, Instant deadline, Selection selection) {
        while (!progress.complete()) {
            Page page = enqueuePage(campaign, progress, selection);
            EnqueueProgress next = page.next();
            if (!campaigns.advance(campaign.id(), progress, next, page.counters())) {
                // Another invocation (a duplicate wake-up) moved the cursor first; it carries on.
                return new Walked(Outcome.LOST_RACE, progress);
            }
            progress = next;
            Campaign now = campaigns.find(campaign.id()).orElseThrow();
            if (now.status() != CampaignStatus.SENDING) {
                return new Walked(now.status() == CampaignStatus.PAUSED ? Outcome.PAUSED : Outcome.NOTHING_TO_DO, progress);
            }
            if (!progress.complete() && clock.instant().isAfter(deadline)) {
                // At least one page per invocation, then hand over before the Lambda timeout.
                wakeUps.request(campaign.id(), Duration.ZERO);
                return new Walked(Outcome.CONTINUES, progress);
            }
        }
        return new Walked(null, progress);
    }

    /** Every batch enqueued: the campaign is sent once every batch is done, checked again until it is. */
    Outcome watch(String campaignId, EnqueueProgress progress) {
        if (ledger.countDone(campaignId) >= progress.nextBatch()) {
            campaigns.transition(campaignId, CampaignStatus.SENDING, CampaignStatus.SENT, null, clock.instant());
            return Outcome.SENT;
        }
        wakeUps.request(campaignId, watchInterval);
        return Outcome.WATCHING;
    }

    Map<EmailAddress, Subscriber> profiles(List<EmailAddress> emails) {
        return subscribers.findAll(emails);
    }

    /** One page of the audience walk: the addresses in order and whether the walk ends with it. */
    record AudiencePage(TreeSet<EmailAddress> addresses, boolean last) {}

    /** The next page of the target segments merged in address order, after {@code afterEmail} (null: the start). */
    AudiencePage audiencePage(Campaign campaign, String afterEmail) {
        EmailAddress after = afterEmail == null ? null : new EmailAddress(afterEmail);
        TreeSet<EmailAddress> merged = new TreeSet<>();
        EmailAddress bound = null; // the page may only cover addresses up to the smallest last entry of a full page
        for (String segment : campaign.segments()) {
            List<EmailAddress> members = subscribers.segmentMembersAfter(segment, after, pageSize);
            merged.addAll(members);
            if (members.size() == pageSize) {
                EmailAddress last = members.get(members.size() - 1);
                bound = bound == null || last.compareTo(bound) < 0 ? last : bound;
            }
        }
        if (bound != null) {
            merged = new TreeSet<>(merged.headSet(bound, true));
        }
        return new AudiencePage(merged, bound == null);
    }

    /** A page fixed in the ledger and queued: the cursor after it and the counters it adds. */
    record Page(EnqueueProgress next, Map<String, Long> counters) {}

    private Page enqueuePage(Campaign campaign, EnqueueProgress progress, Selection selection) {
        AudiencePage page = audiencePage(campaign, progress.afterEmail());
        TreeSet<EmailAddress> merged = page.addresses();
        boolean lastPage = page.last();
        if (merged.isEmpty()) {
            return new Page(progress.movedTo(progress.afterEmail(), progress.nextBatch(), lastPage), Map.of());
        }

        // Without the erasure records: send-batch reads them with each recipient before sending (see BatchSender).
        Map<EmailAddress, Subscriber> profiles = subscribers.findAllExceptErasures(List.copyOf(merged));
        List<NewBatch> batches = new ArrayList<>();
        List<LedgerRecipient> current = new ArrayList<>();
        int suppressed = 0;
        int excluded = 0;
        int number = progress.nextBatch();
        for (EmailAddress email : merged) {
            Subscriber profile = profiles.get(email);
            if (progress.legacyBound() != null && profile != null
                    && profile.email().legacyKey().compareTo(progress.legacyBound()) <= 0) {
                continue; // handled by the earlier version's walk before the upgrade (see EnqueueProgress)
            }
            if (!selection.includes(email.key())) {
                continue; // another walk's (an A/B test's sample or remainder)
            }
            switch (AudienceMember.judge(campaign, profile)) {
                case RECIPIENT -> current.add(new LedgerRecipient(email.key(), selection.variant(email.key())));
                case SUPPRESSED -> suppressed++;
                case EXCLUDED -> excluded++;
                case OUTSIDE -> { }
            }
            if (current.size() == batchSize) {
                batches.add(new NewBatch(number++, current, email.key(), suppressed, excluded));
                current = new ArrayList<>();
                suppressed = 0;
                excluded = 0;
            }
        }
        String end = merged.last().key();
        if (!current.isEmpty() || suppressed > 0 || excluded > 0 || batches.isEmpty()) {
            batches.add(new NewBatch(number, current, end, suppressed, excluded));
        } else {
            // The last full batch ends before trailing addresses that were outside the audience: stretch its range.
            NewBatch last = batches.remove(batches.size() - 1);
            batches.add(new NewBatch(last.batch(), last.recipients(), end, last.skippedSuppressed(), last.skippedExcluded()));
        }
        return store(campaign, progress, batches, lastPage);
    }

    /**
     * Fixes the batches in the ledger, then queues them; on a re-run the stored batches win. Their counters are added
     * by the cursor's move past them (a batch stored by an earlier run that died before moving it counts then).
     */
    private Page store(Campaign campaign, EnqueueProgress progress, List<NewBatch> batches, boolean lastPage) {
        List<Integer> toQueue = new ArrayList<>();
        Map<String, Long> counters = new HashMap<>();
        String coveredUpTo = progress.afterEmail();
        int nextBatch = progress.nextBatch();
        for (NewBatch batch : batches) {
            NewBatch counted = batch;
            boolean created = ledger.create(campaign.id(), batch);
            if (!created) {
                // Fixed by an earlier run that died before moving the cursor: follow what is stored, stop this page.
                LedgerBatch stored = ledger.find(campaign.id(), batch.batch()).orElseThrow();
                counted = new NewBatch(stored.batch(), stored.recipients(), stored.coversUpTo(),
                        stored.skippedSuppressed(), stored.skippedExcluded());
                lastPage = false;
            }
            counters.merge("recipients", (long) counted.recipients().size(), Long::sum);
            counters.merge("skippedSuppressed", (long) counted.skippedSuppressed(), Long::sum);
            counters.merge("skippedExcluded", (long) counted.skippedExcluded(), Long::sum);
            coveredUpTo = counted.coversUpTo();
            toQueue.add(batch.batch());
            nextBatch = batch.batch() + 1;
            if (!created) {
                break;
            }
        }
        sendQueue.enqueue(campaign.id(), toQueue);
        return new Page(progress.movedTo(coveredUpTo, nextBatch, lastPage), counters);
    }
}
