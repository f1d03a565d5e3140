package dev.dispatch.domain.campaign;

import dev.dispatch.domain.warming.WarmingStore;
import dev.dispatch.domain.warming.WarmingConfig;
import dev.dispatch.domain.campaign.CampaignEnqueuer.Outcome;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.Subscriber;
import dev.dispatch.domain.warming.EngagementRank;
import dev.dispatch.domain.warming.PlanState;
import dev.dispatch.domain.warming.PlanStatus;
import dev.dispatch.domain.warming.WarmingAllowance;
import dev.dispatch.domain.warming.WarmingPlan;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * enqueue-campaign under a warming plan: the campaign's audience is first snapshotted into the {@link WarmingPool}
 * (the normal audience walk, each page an immutable numbered pool page with every recipient's engagement rank), then
 * released in rank order (most engaged first, never-engaged last) as ledger batches, only as many recipients at a
 * time as the plan's {@code usage#<date>} counter grants up to {@link WarmingAllowance#releasedBy}. What the allowance
 * does not cover waits for a delayed wake-up and goes out later that day or on the following days, or, for a plan with
 * {@code overAllowance: route}, goes out at once through another provider the campaign may use (enabled, healthy, not
 * out of warming allowance itself), as batches carrying that {@link OverflowRoute}; if there is none, it waits too.
 *
 * <p>Exactly once: a pool page is written once (a re-run keeps the stored one); batches are fixed in the ledger by
 * number before their queue message, and the pool's release cursor moves only after both, so a re-run finds a stored
 * batch by number and follows it (its {@code coversUpTo} is the encoded rank it ends at) instead of building it again.
 * A crash after reserving but before the ledger write only leaves the reservation unused: the day sends less, never a
 * recipient twice. Once the pool is released, the campaign's own cursor is set complete with the batch count and the
 * normal watch takes over.
 */
final class PooledEnqueue {
    /** At most this many batches are reserved and released per step (one reservation each), to keep steps short. */
    static final int BATCHES_PER_STEP = 4;

    private final CampaignEnqueuer enqueuer;
    private final CampaignEnqueuer.Warming warming;
    private final CampaignStore campaigns;
    private final SendLedger ledger;
    private final SendQueue sendQueue;
    private final EnqueueRequests wakeUps;
    private final Clock clock;
    private final int batchSize;
    private final WarmingOverflow overflow;

    PooledEnqueue(CampaignEnqueuer enqueuer, CampaignEnqueuer.Warming warming, CampaignStore campaigns, SendLedger ledger,
            SendQueue sendQueue, EnqueueRequests wakeUps, Clock clock, int batchSize) {
        this.enqueuer = enqueuer;
        this.warming = warming;
        this.campaigns = campaigns;
        this.ledger = ledger;
        this.sendQueue = sendQueue;
        this.wakeUps = wakeUps;
        this.clock = clock;
        this.batchSize = batchSize;
        this.overflow = new WarmingOverflow(warming.config(), warming.plans(), warming.providers());
    }

    /**
     * The campaign's mode: the stored one, or decided now (pooled while an enabled plan for the campaign's first
     * provider is not warm) and stored with a conditional write, so every later wake-up follows the same mode.
     */
    WarmingPool.Mode modeOf(Campaign campaign) {
        Optional<WarmingPool.Mode> stored = warming.pool().mode(campaign.id());
        if (stored.isPresent()) {
            return stored.get();
        }
        return warming.pool().fixMode(campaign.id(), decide(campaign));
    }

    private WarmingPool.Mode decide(Campaign campaign) {
        if (campaign.providers().isEmpty() || warming.config().enabledPlans().isEmpty()) {
            return WarmingPool.Mode.NORMAL;
        }
        if (ledger.find(campaign.id(), 0).isPresent()) {
            // Batches fixed the normal way by a run (of an earlier version) that died before moving the cursor.
            return WarmingPool.Mode.NORMAL;
        }
        return warmingPlanOf(campaign, warming.config(), warming.plans())
                .map(plan -> WarmingPool.Mode.pooledBy(plan.name())).orElse(WarmingPool.Mode.NORMAL);
    }

    /** The enabled plan still warming the campaign's first provider, if any: the plan that caps such a campaign. */
    static Optional<WarmingPlan> warmingPlanOf(Campaign campaign, WarmingConfig config, WarmingStore plans) {
        if (campaign.providers().isEmpty()) {
            return Optional.empty();
        }
        return WarmingOverflow.enabledPlanFor(config, campaign.providers().get(0)).filter(plan -> {
            PlanState state = plans.find(plan.name()).orElse(null);
            return state == null || (state.status() != PlanStatus.WARM && state.day() <= plan.schedule().days());
        });
    }

    Outcome run(Campaign campaign, String planName, Instant deadline) {
        WarmingPool pool = warming.pool();
        WarmingPool.Progress progress = pool.progress(campaign.id());
        while (!progress.collected()) {
            WarmingPool.Progress next = collectPage(campaign, progress);
            if (!pool.advance(campaign.id(), progress, next)) {
                return Outcome.LOST_RACE;
            }
            progress = next.storedAfter(progress);
            Outcome stop = stopIfNotSending(campaign.id());
            if (stop != null) {
                return stop;
            }
            if (!progress.collected() && clock.instant().isAfter(deadline)) {
                wakeUps.request(campaign.id(), Duration.ZERO);
                return Outcome.CONTINUES;
            }
        }
        return release(campaign, planName, progress, deadline);
    }

    /** Snapshots the next audience page into pool page {@code nextPage}; a stored page of a crashed run wins. */
    private WarmingPool.Progress collectPage(Campaign campaign, WarmingPool.Progress progress) {
        Optional<WarmingPool.Page> stored = warming.pool().page(campaign.id(), progress.nextPage());
        if (stored.isPresent()) {
            // Written by a run that died before moving the cursor: keep it and walk on from where it ends.
            return progress.collectedPage(stored.get().coversUpTo(), false);
        }
        CampaignEnqueuer.AudiencePage walk = enqueuer.audiencePage(campaign, progress.afterEmail());
        TreeSet<EmailAddress> addresses = walk.addresses();
        if (addresses.isEmpty()) {
            return progress.collectedPage(progress.afterEmail(), walk.last());
        }
        Map<EmailAddress, Subscriber> profiles = enqueuer.profiles(List.copyOf(addresses));
        List<EmailAddress> recipients = new ArrayList<>();
        int suppressed = 0;
        int excluded = 0;
        for (EmailAddress email : addresses) {
            switch (AudienceMember.judge(campaign, profiles.get(email))) {
                case RECIPIENT -> recipients.add(email);
                case SUPPRESSED -> suppressed++;
                case EXCLUDED -> excluded++;
                case OUTSIDE -> { }
            }
        }
        Map<EmailAddress, EngagementRank> ranks = recipients.isEmpty() ? Map.of()
                : warming.ranks().ranks(recipients, clock.instant());
        List<WarmingPool.Entry> entries = new ArrayList<>();
        for (EmailAddress email : recipients) {
            EngagementRank rank = ranks.getOrDefault(email, new EngagementRank(email.key(), 0, null));
            entries.add(new WarmingPool.Entry(new EngagementRank(email.key(), rank.score(), rank.lastActivityAt()),
                    VariantAssignment.variantFor(campaign.id(), email.key(), campaign.variants())));
        }
        String end = addresses.last().key();
        WarmingPool.Page page = new WarmingPool.Page(entries, end, suppressed, excluded);
        if (warming.pool().putPage(campaign.id(), progress.nextPage(), page)) {
            if (suppressed > 0 || excluded > 0) {
                campaigns.addCounters(campaign.id(), Map.of("skippedSuppressed", (long) suppressed,
                        "skippedExcluded", (long) excluded));
            }
            return progress.collectedPage(end, walk.last());
        }
        // Written by a concurrent run in the meantime: follow the stored page.
        WarmingPool.Page winner = warming.pool().page(campaign.id(), progress.nextPage()).orElseThrow();
        return progress.collectedPage(winner.coversUpTo(), false);
    }

    /** Releases the pool in rank order as far as the allowance goes; the rest waits for a delayed wake-up. */
    private Outcome release(Campaign campaign, String planName, WarmingPool.Progress progress, Instant deadline) {
        String id = campaign.id();
        List<WarmingPool.Entry> pending = pending(id, progress);
        WarmingPlan plan = warming.config().plan(planName).filter(WarmingPlan::enabled).orElse(null);
        while (true) {
            if (pending.isEmpty()) {
                // Everything released: the campaign's cursor takes the batch count, and the normal watch follows.
                EnqueueProgress done = new EnqueueProgress(progress.afterEmail(), progress.nextBatch(), true);
                if (!campaigns.advance(id, campaign.progress(), done, Map.of())) {
                    return Outcome.LOST_RACE;
                }
                return enqueuer.watch(id, done);
            }
            Optional<LedgerBatch> existing = ledger.find(id, progress.nextBatch());
            WarmingPool.Progress next;
            if (existing.isPresent()) {
                // Fixed by a run that died before moving the release cursor: follow it, reserve nothing for it.
                sendQueue.enqueue(id, List.of(progress.nextBatch()));
                next = progress.released(existing.get().coversUpTo(), progress.nextBatch() + 1);
            } else {
                Instant now = clock.instant();
                int wanted = Math.min(pending.size(), batchSize * BATCHES_PER_STEP);
                long granted = grant(plan, wanted, now);
                List<WarmingOverflow.Share> shares = new ArrayList<>();
                if (granted > 0) {
                    shares.add(new WarmingOverflow.Share((int) granted, null));
                }
                if (granted < wanted && plan != null && plan.overAllowance() == WarmingPlan.OverAllowance.ROUTE) {
                    // Over the allowance released so far: through another provider now rather than waiting for it.
                    shares.addAll(overflow.place(campaign.providers(), plan, (int) (wanted - granted), now));
                }
                if (shares.isEmpty()) {
                    wakeUps.request(id, warming.releaseInterval());
                    return Outcome.WAITING_FOR_ALLOWANCE;
                }
                next = releaseBatches(campaign, progress, pending, shares);
            }
            if (!warming.pool().advance(id, progress, next)) {
                return Outcome.LOST_RACE;
            }
            progress = next.storedAfter(progress);
            pending = after(pending, progress.releasedThrough());
            Outcome stop = stopIfNotSending(id);
            if (stop != null) {
                return stop;
            }
            if (!pending.isEmpty() && clock.instant().isAfter(deadline)) {
                wakeUps.request(id, Duration.ZERO);
                return Outcome.CONTINUES;
            }
        }
    }

    /** Reserves up to {@code wanted} of today's allowance; a plan no longer enabled or warm caps nothing. */
    private long grant(WarmingPlan plan, int wanted, Instant now) {
        if (plan == null) {
            return wanted;
        }
        PlanState state = warming.plans().find(plan.name()).orElse(null);
        long allowance = WarmingAllowance.releasedBy(plan, state, now);
        if (allowance == WarmingAllowance.UNCAPPED) {
            return wanted;
        }
        if (allowance <= 0) {
            return 0;
        }
        return warming.plans().reserve(plan.name(), LocalDate.ofInstant(now, ZoneOffset.UTC), wanted, allowance);
    }

    /**
     * Fixes the step's recipients (the first of {@code pending}, share after share) as ledger batches, queues them,
     * and says where the release cursor goes. A batch never mixes shares: each is routed as a whole.
     */
    private WarmingPool.Progress releaseBatches(Campaign campaign, WarmingPool.Progress progress,
            List<WarmingPool.Entry> pending, List<WarmingOverflow.Share> shares) {
        List<Integer> toQueue = new ArrayList<>();
        String through = progress.releasedThrough();
        int number = progress.nextBatch();
        int offset = 0;
        release:
        for (WarmingOverflow.Share share : shares) {
            List<WarmingPool.Entry> granted = pending.subList(offset, offset + share.count());
            offset += share.count();
            for (int from = 0; from < granted.size(); from += batchSize) {
                List<WarmingPool.Entry> slice = granted.subList(from, Math.min(granted.size(), from + batchSize));
                List<LedgerRecipient> recipients = slice.stream()
                        .map(e -> new LedgerRecipient(e.rank().key(), e.variant())).toList();
                String end = RankCursor.encode(slice.get(slice.size() - 1).rank());
                if (ledger.create(campaign.id(), new NewBatch(number, recipients, end, 0, 0, share.overflow()))) {
                    campaigns.addCounters(campaign.id(), Map.of("recipients", (long) recipients.size()));
                    through = end;
                } else {
                    // A concurrent run fixed this number first: follow what is stored and stop here.
                    through = ledger.find(campaign.id(), number).orElseThrow().coversUpTo();
                    toQueue.add(number++);
                    break release;
                }
                toQueue.add(number++);
            }
        }
        sendQueue.enqueue(campaign.id(), toQueue);
        return progress.released(through, number);
    }

    /** Every pooled recipient after the release cursor, most engaged first. */
    private List<WarmingPool.Entry> pending(String campaignId, WarmingPool.Progress progress) {
        List<WarmingPool.Entry> all = new ArrayList<>();
        for (int page = 0; page < progress.nextPage(); page++) {
            all.addAll(warming.pool().page(campaignId, page).map(WarmingPool.Page::entries).orElse(List.of()));
        }
        all.sort((a, b) -> EngagementRank.MOST_ENGAGED_FIRST.compare(a.rank(), b.rank()));
        return after(all, progress.releasedThrough());
    }

    private static List<WarmingPool.Entry> after(List<WarmingPool.Entry> sorted, String releasedThrough) {
        if (releasedThrough == null) {
            return sorted;
        }
        EngagementRank cursor = RankCursor.decode(releasedThrough);
        int i = 0;
        while (i < sorted.size() && EngagementRank.MOST_ENGAGED_FIRST.compare(sorted.get(i).rank(), cursor) <= 0) {
            i++;
        }
        return sorted.subList(i, sorted.size());
    }

    private Outcome stopIfNotSending(String campaignId) {
        Campaign now = campaigns.find(campaignId).orElseThrow();
        if (now.status() != CampaignStatus.SENDING) {
            return now.status() == CampaignStatus.PAUSED ? Outcome.PAUSED : Outcome.NOTHING_TO_DO;
        }
        return null;
    }
}
