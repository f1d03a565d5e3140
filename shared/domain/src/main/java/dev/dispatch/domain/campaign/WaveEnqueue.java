package dev.dispatch.domain.campaign;

import dev.dispatch.domain.campaign.CampaignEnqueuer.Outcome;
import dev.dispatch.domain.campaign.SendTimePlanner.Entry;
import dev.dispatch.domain.campaign.SendTimePlanner.Scheduled;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.Subscriber;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * enqueue-campaign for a campaign with a {@link SendTime}: waves in each recipient's own time.
 * <ol>
 *   <li>The plan's start is fixed by its first write (every instant is computed from it).
 *   <li>The audience is snapshotted into immutable numbered {@link WavePlan} pages (the normal audience walk), each
 *   recipient with its zone and local time ({@link SendTimePlanner}); once collected, the waves are fixed for display.
 *   <li>The recipients are released in (instant, address) order: when a wave's instant has come, its recipients become
 *   ledger batches (one wave per batch) and are queued; the release cursor moves only after both. Until then a delayed
 *   wake-up (at most the check interval, at most SQS's 15 minutes) looks again; a wake-up is never early because the
 *   instant is compared, not the delay trusted.
 *   <li>All released: the campaign's cursor is set complete with the batch count, and the normal watch marks it sent.
 * </ol>
 * Exactly once: pages are written once; a batch is fixed in the ledger by number before its queue message, and the
 * release cursor moves after both, so a re-run finds a stored batch by number and follows its {@code coversUpTo} (the
 * cursor of its last recipient). A paused campaign releases nothing (its wake-ups stop; resume wakes it, and waves
 * whose instant passed meanwhile go at once). A cancelled one's unreleased recipients are released at once as
 * batches that send-batch records as {@code cancelled}.
 */
final class WaveEnqueue {
    private final CampaignEnqueuer enqueuer;
    private final WavePlan plans;
    private final EngagementTimes times;
    private final CampaignStore campaigns;
    private final SendLedger ledger;
    private final SendQueue sendQueue;
    private final EnqueueRequests wakeUps;
    private final Clock clock;
    private final int batchSize;
    private final Duration checkInterval;

    WaveEnqueue(CampaignEnqueuer enqueuer, WavePlan plans, EngagementTimes times, CampaignStore campaigns,
            SendLedger ledger, SendQueue sendQueue, EnqueueRequests wakeUps, Clock clock, int batchSize,
            Duration checkInterval) {
        this.enqueuer = enqueuer;
        this.plans = plans;
        this.times = times;
        this.campaigns = campaigns;
        this.ledger = ledger;
        this.sendQueue = sendQueue;
        this.wakeUps = wakeUps;
        this.clock = clock;
        this.batchSize = batchSize;
        this.checkInterval = checkInterval;
    }

    Outcome run(Campaign campaign, Instant deadline) {
        String id = campaign.id();
        WavePlan.Progress progress = plans.progress(id);
        if (progress.version() == 0) {
            WavePlan.Progress started = new WavePlan.Progress(null, 0, false, clock.instant(), List.of(), null, 0, 0);
            if (!plans.advance(id, progress, started)) {
                return Outcome.LOST_RACE;
            }
            progress = started.storedAfter(progress);
        }
        while (!progress.collected()) {
            WavePlan.Progress next = collectPage(campaign, progress);
            if (next.collected()) {
                next = next.withWaves(SendTimePlanner.waves(schedule(campaign, next)).stream()
                        .map(w -> new WavePlan.Wave(w.at(), w.recipients(), null)).toList());
            }
            if (!plans.advance(id, progress, next)) {
                return Outcome.LOST_RACE;
            }
            progress = next.storedAfter(progress);
            Outcome stop = stopIfNotSending(id);
            if (stop != null) {
                return stop;
            }
            if (!progress.collected() && clock.instant().isAfter(deadline)) {
                wakeUps.request(id, Duration.ZERO);
                return Outcome.CONTINUES;
            }
        }
        return release(campaign, progress, deadline, false);
    }

    /** A cancelled campaign: every recipient not yet released goes into batches that record them as cancelled. */
    Outcome drop(Campaign campaign) {
        WavePlan.Progress progress = plans.progress(campaign.id());
        if (progress.version() == 0) {
            return Outcome.NOTHING_TO_DO;
        }
        return release(campaign, progress, Instant.MAX, true);
    }

    private Outcome release(Campaign campaign, WavePlan.Progress progress, Instant deadline, boolean cancelled) {
        String id = campaign.id();
        List<Scheduled> schedule = schedule(campaign, progress);
        List<Scheduled> pending = SendTimePlanner.after(schedule, progress.releasedThrough());
        while (true) {
            if (pending.isEmpty()) {
                if (cancelled) {
                    return Outcome.NOTHING_TO_DO;
                }
                // Everything released: the campaign's cursor takes the batch count, and the normal watch follows.
                EnqueueProgress done = new EnqueueProgress(progress.afterEmail(), progress.nextBatch(), true);
                if (!campaign.progress().complete() && !campaigns.advance(id, campaign.progress(), done, Map.of())) {
                    return Outcome.LOST_RACE;
                }
                return enqueuer.watch(id, done);
            }
            Instant now = clock.instant();
            int number = progress.nextBatch();
            Optional<LedgerBatch> existing = ledger.find(id, number);
            String through;
            if (existing.isPresent()) {
                // Fixed by a run that died before moving the release cursor: follow it.
                through = existing.get().coversUpTo();
            } else {
                Instant waveAt = pending.get(0).at();
                if (!cancelled && waveAt.isAfter(now)) {
                    Duration left = Duration.between(now, waveAt);
                    wakeUps.request(id, left.compareTo(checkInterval) > 0 ? checkInterval : left);
                    return Outcome.WAITING_FOR_WAVE;
                }
                List<Scheduled> slice = new ArrayList<>();
                for (Scheduled s : pending) {
                    if (slice.size() == batchSize || (!cancelled && !s.at().equals(waveAt))) {
                        break; // one wave per batch: the ledger batch then belongs to one send instant
                    }
                    slice.add(s);
                }
                List<LedgerRecipient> recipients = slice.stream()
                        .map(s -> new LedgerRecipient(s.entry().key(), s.entry().variant())).toList();
                through = SendTimePlanner.cursor(slice.get(slice.size() - 1));
                if (ledger.create(id, new NewBatch(number, recipients, through, 0, 0))) {
                    campaigns.addCounters(id, Map.of("recipients", (long) recipients.size()));
                } else {
                    through = ledger.find(id, number).orElseThrow().coversUpTo(); // a concurrent run's wins
                }
            }
            sendQueue.enqueue(id, List.of(number));
            List<Scheduled> rest = SendTimePlanner.after(schedule, through);
            WavePlan.Progress next = progress.released(through, number + 1)
                    .withWaves(cancelled ? progress.waves() : enqueued(progress.waves(), rest, now));
            if (!plans.advance(id, progress, next)) {
                if (cancelled) {
                    wakeUps.request(id, CampaignEnqueuer.WATCH_INTERVAL); // the winner may stop before the end
                }
                return Outcome.LOST_RACE;
            }
            progress = next.storedAfter(progress);
            pending = rest;
            if (!cancelled) {
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
    }

    /** The waves with every wave wholly released (all before {@code rest}) marked as enqueued now. */
    private static List<WavePlan.Wave> enqueued(List<WavePlan.Wave> waves, List<Scheduled> rest, Instant now) {
        Instant firstPending = rest.isEmpty() ? null : rest.get(0).at();
        return waves.stream().map(w -> w.enqueuedAt() == null && (firstPending == null || w.at().isBefore(firstPending))
                ? new WavePlan.Wave(w.at(), w.recipients(), now) : w).toList();
    }

    /** Every planned recipient with its instant, in release order. */
    private List<Scheduled> schedule(Campaign campaign, WavePlan.Progress progress) {
        List<Entry> all = new ArrayList<>();
        for (int page = 0; page < progress.nextPage(); page++) {
            all.addAll(plans.page(campaign.id(), page).map(WavePlan.Page::entries).orElse(List.of()));
        }
        return SendTimePlanner.schedule(campaign.sendTime(), all, progress.start());
    }

    /** Snapshots the next audience page into plan page {@code nextPage}; a stored page of a crashed run wins. */
    private WavePlan.Progress collectPage(Campaign campaign, WavePlan.Progress progress) {
        Optional<WavePlan.Page> stored = plans.page(campaign.id(), progress.nextPage());
        if (stored.isPresent()) {
            return progress.collectedPage(stored.get().coversUpTo(), false);
        }
        CampaignEnqueuer.AudiencePage walk = enqueuer.audiencePage(campaign, progress.afterEmail());
        TreeSet<EmailAddress> addresses = walk.addresses();
        if (addresses.isEmpty()) {
            return progress.collectedPage(progress.afterEmail(), walk.last());
        }
        Map<EmailAddress, Subscriber> profiles = enqueuer.profiles(List.copyOf(addresses));
        SendTime sendTime = campaign.sendTime();
        List<Subscriber> recipients = new ArrayList<>();
        List<EmailAddress> needHistory = new ArrayList<>();
        int suppressed = 0;
        int excluded = 0;
        for (EmailAddress email : addresses) {
            Subscriber profile = profiles.get(email);
            switch (AudienceMember.judge(campaign, profile)) {
                case RECIPIENT -> {
                    recipients.add(profile);
                    if (sendTime.mode() == SendTime.Mode.BEST
                            || SendTimePlanner.ownZone(profile.timeZone(), profile.attributes()) == null) {
                        needHistory.add(email);
                    }
                }
                case SUPPRESSED -> suppressed++;
                case EXCLUDED -> excluded++;
                case OUTSIDE -> { }
            }
        }
        Map<EmailAddress, List<Instant>> history = needHistory.isEmpty() ? Map.of()
                : times.opensAndClicks(needHistory, SendTimePlanner.ENGAGEMENT_SAMPLE);
        List<Entry> entries = new ArrayList<>();
        for (Subscriber s : recipients) {
            List<Instant> engagement = history.getOrDefault(s.email(), List.of());
            ZoneId zone = SendTimePlanner.zoneOf(sendTime, s.timeZone(), s.attributes(), engagement);
            Integer minute = sendTime.mode() == SendTime.Mode.LOCAL ? Integer.valueOf(sendTime.minuteOfDay())
                    : SendTimePlanner.bestMinute(engagement, zone, sendTime.minute());
            String key = s.email().key();
            entries.add(new Entry(key, VariantAssignment.variantFor(campaign.id(), key, campaign.variants()),
                    zone.getId(), minute, s.email().domain()));
        }
        String end = addresses.last().key();
        WavePlan.Page page = new WavePlan.Page(entries, end, suppressed, excluded);
        if (plans.putPage(campaign.id(), progress.nextPage(), page)) {
            if (suppressed > 0 || excluded > 0) {
                campaigns.addCounters(campaign.id(), Map.of("skippedSuppressed", (long) suppressed,
                        "skippedExcluded", (long) excluded));
            }
            return progress.collectedPage(end, walk.last());
        }
        WavePlan.Page winner = plans.page(campaign.id(), progress.nextPage()).orElseThrow();
        return progress.collectedPage(winner.coversUpTo(), false);
    }

    private Outcome stopIfNotSending(String campaignId) {
        Campaign now = campaigns.find(campaignId).orElseThrow();
        if (now.status() != CampaignStatus.SENDING) {
            return now.status() == CampaignStatus.PAUSED ? Outcome.PAUSED : Outcome.NOTHING_TO_DO;
        }
        return null;
    }
}
