package dev.dispatch.domain.campaign;

import dev.dispatch.domain.campaign.RecipientResult.Fate;
import dev.dispatch.domain.message.EmailProvider;
import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.message.ProviderThrottledException;
import dev.dispatch.domain.message.ProviderUnavailableException;
import dev.dispatch.domain.message.SendResult;
import dev.dispatch.domain.routing.CallTally;
import dev.dispatch.domain.routing.ProviderRouting;
import dev.dispatch.domain.routing.Route;
import dev.dispatch.domain.pacing.Grant;
import dev.dispatch.domain.pacing.Pacing;
import dev.dispatch.domain.subscriber.AddressMigration;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.Subscriber;
import dev.dispatch.domain.subscriber.SubscriberStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import dev.dispatch.domain.engagement.DeliveryStats;
import dev.dispatch.domain.engagement.ProviderCallStats;
import dev.dispatch.domain.engagement.RecipientDomains;
import dev.dispatch.domain.metrics.Measurements;
import dev.dispatch.domain.metrics.MetricNames;
import dev.dispatch.domain.metrics.Metrics;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.HashSet;

/**
 * send-batch's use case: gives every recipient of one ledger batch exactly one message or one recorded reason.
 *
 * <p>Order of work, and why: the batch is claimed with a lease (a duplicate SQS delivery finds it claimed or done
 * and stops); each recipient's current profile is read again (someone may have unsubscribed since the batch was
 * fixed); before each provider call the recipients of that call are written as in flight, and right after it
 * their results are written. If the function dies between the two, the next owner finds them in flight and
 * records them as {@link Fate#UNKNOWN} instead of sending again: the provider may have accepted them, and a second
 * message is the one thing that must never happen. That window is one provider call.
 *
 * <p>Time: the invocation may be cut off at {@code invocationEnd} (the Lambda timeout), and an outcome that was not
 * recorded by then would be lost. So work stops at {@code invocationEnd} (or the lease's end, if sooner) less the
 * {@link TimeBudget#reserve() reserve} kept for recording; a provider call is started only with at least
 * {@link TimeBudget#minimumCall()} left and is given only what is left as its timeout. What was not sent stays
 * unsent and the batch is released for the next delivery, which continues with the recipients without a result.
 *
 * <p>Pacing: before each provider call, permits for its messages are taken from {@link Pacing} (the provider's rate
 * and daily quota, shared by every instance); only the granted messages are sent. Waiting for the next second's
 * permits happens here, up to {@code maxPacingWait} per batch; beyond that (or the time budget) the batch is
 * released and queued again with a short delay ({@link Result#PACED}). A provider whose daily quota is used up
 * hands the rest to the campaign's next provider; if none is left the batch is released and queued again to be
 * looked at every {@link #QUOTA_RECHECK} ({@link Result#OVER_QUOTA}): deferred, never dropped, and never sent twice
 * (a re-queued batch is an ordinary delivery of it: the ledger decides who still needs a message).
 */
public class BatchSender {
    private static final int MAX_ROUNDS = 8;
    /** How soon a batch deferred by a used-up daily quota is looked at again (SQS's longest delay). */
    public static final Duration QUOTA_RECHECK = Duration.ofMinutes(15);

    private final CampaignStore campaigns;
    private final SubscriberStore subscribers;
    private final SendLedger ledger;
    private final CampaignMessages messages;
    private final Map<String, EmailProvider> providers;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration lease;
    private final TimeBudget budget;
    private final DeliveryStats stats;
    private final AddressMigration migration;
    private final ProviderRouting routing;
    private final Pacing pacing;
    /** Where paced and deferred batches go back to; null = they are released for SQS to deliver again. */
    private final SendQueue requeue;
    private final Duration maxPacingWait;
    private final Metrics metrics;

    /**
     * How an invocation's time is spent.
     *
     * @param reserve kept at the end of the invocation (and of the lease) for recording outcomes and releasing the
     *     batch: no provider call may still run then
     * @param minimumCall a provider call is started only with at least this much time left before the reserve
     */
    public record TimeBudget(Duration reserve, Duration minimumCall) {
        public TimeBudget {
            if (reserve.isNegative() || minimumCall.isNegative() || minimumCall.isZero()) {
                throw new IllegalArgumentException("reserve must be >= 0 and minimumCall > 0");
            }
        }
    }

    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    public enum Result {
        /** Every recipient has its result. */
        DONE,
        /** Already done by an earlier delivery of the same batch. */
        DUPLICATE,
        /** The campaign is paused: the batch waits for resume. */
        PARKED,
        /** Not finished (lease held elsewhere, providers down or throttling past the time budget): retry later. */
        RETRY_LATER,
        /** Not started: too little of the invocation was left to send anything; retry later. */
        NO_TIME,
        /** Part sent; the rest waits for the providers' rate (shared by every instance): queued again shortly. */
        PACED,
        /** The rest is over the day's quota of every provider the campaign may use: queued again for later. */
        OVER_QUOTA
    }

    /** How a batch's delivery attempt ended. */
    private enum Delivery { DONE, STOPPED, PACED, OVER_QUOTA }

    public BatchSender(CampaignStore campaigns, SubscriberStore subscribers, SendLedger ledger, CampaignMessages messages,
            Map<String, EmailProvider> providers, Clock clock, Sleeper sleeper, Duration lease, TimeBudget budget,
            DeliveryStats stats, AddressMigration migration) {
        this(campaigns, subscribers, ledger, messages, providers, clock, sleeper, lease, budget, stats, migration,
                ProviderRouting.standalone(clock), Pacing.NONE, null, Duration.ZERO);
    }

    /**
     * @param routing chooses each recipient's provider and keeps the providers' shared health (circuit breakers)
     */
    public BatchSender(CampaignStore campaigns, SubscriberStore subscribers, SendLedger ledger, CampaignMessages messages,
            Map<String, EmailProvider> providers, Clock clock, Sleeper sleeper, Duration lease, TimeBudget budget,
            DeliveryStats stats, AddressMigration migration, ProviderRouting routing) {
        this(campaigns, subscribers, ledger, messages, providers, clock, sleeper, lease, budget, stats, migration,
                routing, Pacing.NONE, null, Duration.ZERO);
    }

    /**
     * @param pacing permits per provider call (rate and daily quota across every instance)
     * @param requeue where a paced or over-quota batch is queued again (with a delay)
     * @param maxPacingWait how long one batch may wait here for rate permits before it is handed back
     */
    public BatchSender(CampaignStore campaigns, SubscriberStore subscribers, SendLedger ledger, CampaignMessages messages,
            Map<String, EmailProvider> providers, Clock clock, Sleeper sleeper, Duration lease, TimeBudget budget,
            DeliveryStats stats, AddressMigration migration, Pacing pacing, SendQueue requeue, Duration maxPacingWait) {
        this(campaigns, subscribers, ledger, messages, providers, clock, sleeper, lease, budget, stats, migration,
                ProviderRouting.standalone(clock), pacing, requeue, maxPacingWait);
    }

    /**
     * @param routing chooses each recipient's provider and keeps the providers' shared health (circuit breakers)
     * @param pacing permits per provider call (rate and daily quota across every instance)
     * @param requeue where a paced or over-quota batch is queued again (with a delay)
     * @param maxPacingWait how long one batch may wait here for rate permits before it is handed back
     */
    public BatchSender(CampaignStore campaigns, SubscriberStore subscribers, SendLedger ledger, CampaignMessages messages,
            Map<String, EmailProvider> providers, Clock clock, Sleeper sleeper, Duration lease, TimeBudget budget,
            DeliveryStats stats, AddressMigration migration, ProviderRouting routing, Pacing pacing, SendQueue requeue,
            Duration maxPacingWait) {
        this(campaigns, subscribers, ledger, messages, providers, clock, sleeper, lease, budget, stats, migration,
                routing, pacing, requeue, maxPacingWait, Metrics.NONE);
    }

    /**
     * @param metrics receives, once per delivery of a batch, the messages sent, failed and deferred per provider and
     *     how long the delivery took
     */
    public BatchSender(CampaignStore campaigns, SubscriberStore subscribers, SendLedger ledger, CampaignMessages messages,
            Map<String, EmailProvider> providers, Clock clock, Sleeper sleeper, Duration lease, TimeBudget budget,
            DeliveryStats stats, AddressMigration migration, ProviderRouting routing, Pacing pacing, SendQueue requeue,
            Duration maxPacingWait, Metrics metrics) {
        this.metrics = metrics;
        this.routing = routing;
        this.pacing = pacing;
        this.requeue = requeue;
        this.maxPacingWait = maxPacingWait;
        this.stats = stats;
        this.budget = budget;
        this.migration = migration;
        this.campaigns = campaigns;
        this.subscribers = subscribers;
        this.ledger = ledger;
        this.messages = messages;
        this.providers = providers;
        this.clock = clock;
        this.sleeper = sleeper;
        this.lease = lease;
    }

    /**
     * @param invocationEnd when this invocation will be cut off (the Lambda deadline): every outcome must be
     *     recorded before it
     */
    public Result send(String campaignId, int batchNumber, String owner, Instant invocationEnd) {
        Attempt attempt = new Attempt(new Measurements().property("campaignId", campaignId).property("batch", batchNumber));
        try {
            return send(campaignId, batchNumber, owner, invocationEnd, attempt);
        } finally {
            // A duplicate, parked or not started batch measured nothing: it is not a send.
            if (attempt.claimedAt != null) {
                attempt.measured.duration(MetricNames.BATCH_LATENCY, Duration.between(attempt.claimedAt, clock.instant()));
            }
            if (!attempt.measured.isEmpty()) {
                metrics.publish(attempt.measured);
            }
        }
    }

    /** What one delivery measured, for {@link #metrics}. */
    private static final class Attempt {
        final Measurements measured;
        Instant claimedAt;

        Attempt(Measurements measured) {
            this.measured = measured;
        }
    }

    private Result send(String campaignId, int batchNumber, String owner, Instant invocationEnd, Attempt attempt) {
        Instant stopAt = invocationEnd.minus(budget.reserve());
        if (!hasTimeForACall(clock.instant(), stopAt)) {
            return Result.NO_TIME; // not even claimed: the next delivery finds the batch as it is
        }
        Campaign campaign = campaigns.find(campaignId)
                .orElseThrow(() -> new IllegalStateException("batch " + batchNumber + " of unknown campaign " + campaignId));
        if (campaign.status() == CampaignStatus.PAUSED || campaign.status() == CampaignStatus.SCHEDULED) {
            if (stored(campaignId, batchNumber).state() == LedgerBatch.State.DONE) {
                return Result.DUPLICATE;
            }
            ledger.park(campaignId, batchNumber);
            // Resume may have run between our read and the park: look again so the batch is not stranded.
            campaign = campaigns.find(campaignId).orElseThrow();
            if (campaign.status() == CampaignStatus.PAUSED || campaign.status() == CampaignStatus.SCHEDULED) {
                return Result.PARKED;
            }
        }
        if (!migration.suppressionsMoved()) {
            // A batch of an earlier version, sent before the upgrade's migration moved the suppressions: the check
            // below could miss one written in another letter case. The next campaign wake-up moves them.
            return Result.RETRY_LATER;
        }
        // A warming overflow batch's route is within the campaign's pinned providers, so this holds for it too.
        if (requeue != null && !campaign.providers().isEmpty() && campaign.providers().stream().allMatch(pacing::quotaUsedUp)) {
            // Known here without a write: nothing can go out today, so the batch is not even claimed.
            LedgerBatch stored = stored(campaignId, batchNumber);
            if (stored.state() == LedgerBatch.State.DONE) {
                return Result.DUPLICATE;
            }
            requeue.enqueueLater(campaignId, batchNumber, QUOTA_RECHECK);
            long left = stored.recipients().stream().filter(r -> !stored.results().containsKey(r.email())).count();
            List<String> pinned = campaign.providers();
            attempt.measured.count(MetricNames.DEFERRED, pinned.get(pinned.size() - 1), left);
            return Result.OVER_QUOTA;
        }
        Instant now = clock.instant();
        // Claimed without reading the batch first (the claim returns it): a done or held batch fails the claim's
        // condition, and only then is it read, to tell a duplicate delivery from one to retry later.
        Optional<LedgerBatch> claimed = ledger.claim(campaignId, batchNumber, owner, now.plus(lease), now);
        if (claimed.isEmpty()) {
            return stored(campaignId, batchNumber).state() == LedgerBatch.State.DONE ? Result.DUPLICATE : Result.RETRY_LATER;
        }
        LedgerBatch batch = claimed.get();
        attempt.claimedAt = now;
        // After the lease runs out another invocation may take the batch over: stop recording before that too.
        Instant leaseStop = now.plus(lease).minus(budget.reserve());
        if (leaseStop.isBefore(stopAt)) {
            stopAt = leaseStop;
        }
        Work work = new Work(campaign, batch, owner, attempt.measured);
        work.settleInterruptedCall();
        if (campaign.status() == CampaignStatus.CANCELLED) {
            work.resolveAll(Fate.CANCELLED, "campaign cancelled before this batch was sent");
            return work.finish();
        }
        List<OutgoingMessage> toSend = work.checkAudience();
        Delivery delivery = work.deliver(toSend, stopAt);
        if (delivery == Delivery.DONE) {
            return work.finish();
        }
        work.countDeferred();
        ledger.release(campaignId, batchNumber, owner);
        // The calls and failovers of a delivery that did not finish the batch count too (its sends at the finish).
        work.recordCallStats();
        if (requeue == null || delivery == Delivery.STOPPED) {
            return Result.RETRY_LATER;
        }
        // Released first, then queued again: if queueing fails, this delivery fails and SQS brings it back.
        if (delivery == Delivery.OVER_QUOTA) {
            requeue.enqueueLater(campaignId, batchNumber, QUOTA_RECHECK);
            return Result.OVER_QUOTA;
        }
        requeue.enqueueLater(campaignId, batchNumber, work.pacedDelay);
        return Result.PACED;
    }

    private LedgerBatch stored(String campaignId, int batchNumber) {
        return ledger.find(campaignId, batchNumber)
                .orElseThrow(() -> new IllegalStateException("no ledger batch " + campaignId + "/" + batchNumber));
    }

    /**
     * The providers a batch may use: a warming overflow batch's fixed route (never the warming plan's provider), else
     * the campaign's pinned list (empty: any).
     */
    private static List<String> pinnedProviders(Campaign campaign, LedgerBatch batch) {
        return batch.overflow() != null ? batch.overflow().providers() : campaign.providers();
    }

    /** One claimed batch being worked on. */
    private final class Work {
        final Campaign campaign;
        final LedgerBatch batch;
        final String owner;
        final Map<String, RecipientResult> results;
        /**
         * Each recipient's name in the ledger, by address: batches written by earlier versions name recipients by
         * their legacy key, newer ones by the identity; messages and provider answers are matched by the address.
         */
        final Map<EmailAddress, String> ledgerNames = new HashMap<>();
        /** Whether this owner has an in-flight list in the ledger that the next record must clear. */
        boolean inflightWritten;
        /** Whether the ledger holds the batch as done (its last results were written with the done mark). */
        boolean finished;
        /** Provider calls of this attempt that failed (throttled, unavailable), by provider. */
        final Map<String, Long> failedCalls = new HashMap<>();
        /** Each addressee's engagement score as read now (engagement tiers route by it). */
        final Map<EmailAddress, Double> engagementScores = new HashMap<>();
        /** When handed back for pacing: how long until permits can be had again. */
        Duration pacedDelay = Duration.ofSeconds(1);
        /** The messages not sent yet in this delivery, each with where it is in its route. */
        List<Routed> remaining = List.of();
        /** The messages of this delivery that ran out of providers (down or over quota): they wait for a later one. */
        final List<Routed> noProviderLeft = new ArrayList<>();
        /** This delivery's sent, failed and deferred messages per provider. */
        final Measurements measured;
        /** This delivery's provider call latencies and failovers, for the provider daily statistics. */
        final ProviderCallStats callStats = new ProviderCallStats();

        Work(Campaign campaign, LedgerBatch batch, String owner, Measurements measured) {
            this.measured = measured;
            this.campaign = campaign;
            this.batch = batch;
            this.owner = owner;
            this.results = new LinkedHashMap<>(batch.results());
            batch.recipients().forEach(r -> ledgerNames.putIfAbsent(new EmailAddress(r.email()), r.email()));
        }

        String ledgerName(EmailAddress email) {
            return ledgerNames.getOrDefault(email, email.key());
        }

        /** A previous owner died inside a provider call: its recipients may have been sent; never send them again. */
        void settleInterruptedCall() {
            inflightWritten = !batch.inflight().isEmpty(); // a previous owner's list, to be cleared now
            Map<String, RecipientResult> unknown = new LinkedHashMap<>();
            for (String email : batch.inflight()) {
                if (!results.containsKey(email)) {
                    unknown.put(email, new RecipientResult(Fate.UNKNOWN, null, null,
                            "a provider call was interrupted; not sent again to avoid a duplicate"));
                }
            }
            record(unknown);
        }

        void resolveAll(Fate fate, String detail) {
            Map<String, RecipientResult> resolved = new LinkedHashMap<>();
            for (LedgerRecipient r : unresolved()) {
                resolved.put(r.email(), new RecipientResult(fate, null, null, detail));
            }
            record(resolved);
        }

        /** Reads every unresolved recipient again; the suppressed and those who left the audience get their reason. */
        List<OutgoingMessage> checkAudience() {
            List<LedgerRecipient> pending = unresolved();
            Map<EmailAddress, Subscriber> current = subscribers.findAll(
                    pending.stream().map(r -> new EmailAddress(r.email())).toList());
            Map<String, RecipientResult> skipped = new LinkedHashMap<>();
            List<CampaignMessages.Addressee> addressees = new ArrayList<>();
            for (LedgerRecipient r : pending) {
                Subscriber subscriber = current.get(new EmailAddress(r.email()));
                if (!ledgerNames.get(new EmailAddress(r.email())).equals(r.email())) {
                    // An earlier version's batch may name one person twice, in two letter cases: one message only.
                    skipped.put(r.email(), new RecipientResult(Fate.SKIPPED, null, null,
                            "the same address as another recipient of this batch"));
                    continue;
                }
                switch (AudienceMember.judge(campaign, subscriber)) {
                    case RECIPIENT -> {
                        addressees.add(new CampaignMessages.Addressee(subscriber, r.variant()));
                        engagementScores.put(subscriber.email(), subscriber.engagementScore());
                    }
                    case SUPPRESSED -> skipped.put(r.email(), new RecipientResult(Fate.SUPPRESSED, null, null,
                            "address is " + subscriber.status().wireName()));
                    case EXCLUDED -> skipped.put(r.email(), new RecipientResult(Fate.SKIPPED, null, null,
                            "now in an excluded segment"));
                    case OUTSIDE -> skipped.put(r.email(), new RecipientResult(Fate.SKIPPED, null, null,
                            "no longer in a target segment"));
                }
            }
            record(skipped);
            return addressees.isEmpty() ? List.of() : messages.render(campaign, addressees, batch.batch());
        }

        /**
         * Sends each message through the provider chosen for its recipient ({@link ProviderRouting}), with pacing
         * permits for every call ({@link Pacing}): only granted messages are sent, the rest wait for the next
         * second's permits (up to {@code maxPacingWait}, then the batch is handed back). Throttling backs off and
         * retries the same provider (and lowers its shared rate); a provider that is down in this batch, or whose
         * daily quota is used up, hands its recipients to the next provider of each one's failover order. No call is
         * started that could not end before {@code stopAt}. The batch's calls go into the providers' shared health
         * afterwards.
         */
        Delivery deliver(List<OutgoingMessage> toSend, Instant stopAt) {
            if (toSend.isEmpty()) {
                return Delivery.DONE;
            }
            List<String> ready = providers.entrySet().stream().filter(e -> e.getValue().ready()).map(Map.Entry::getKey).toList();
            ProviderRouting.BatchPlan plan = routing.plan(pinnedProviders(campaign, batch), ready, owner);
            Map<String, CallTally> tallies = new HashMap<>();
            Delivery done;
            try {
                done = deliver(toSend, stopAt, plan, tallies);
            } catch (RuntimeException e) {
                try {
                    plan.report(tallies);
                } catch (RuntimeException reportFailure) {
                    e.addSuppressed(reportFailure);
                }
                throw e;
            }
            plan.report(tallies);
            return done;
        }

        private Delivery deliver(List<OutgoingMessage> toSend, Instant stopAt, ProviderRouting.BatchPlan plan,
                Map<String, CallTally> tallies) {
            remaining = new ArrayList<>();
            OverflowRoute overflow = batch.overflow();
            for (OutgoingMessage m : toSend) {
                // An overflow batch keeps the route enqueue-campaign fixed (its providers as candidates now allow):
                // domain rules and tiers could otherwise lead back to the warming plan's provider.
                Route route = overflow != null ? new Route(plan.candidates().providers(), overflow.reason())
                        : plan.route(m.to().key(), engagementScores.getOrDefault(m.to(), 0.0));
                remaining.add(new Routed(m, route));
            }
            Set<String> down = new HashSet<>(); // failed as a whole in this batch: nobody else goes there now
            Set<String> quotaUsedUp = new HashSet<>(); // today's quota is used up: the next provider, or later
            boolean stranded = false;
            Duration backoff = Duration.ofMillis(200);
            Instant pacingEnds = clock.instant().plus(maxPacingWait);
            int maxRounds = MAX_ROUNDS * Math.max(1, plan.candidates().providers().size());
            for (int round = 0; !remaining.isEmpty(); ) {
                if (round >= maxRounds || !hasTimeForACall(clock.instant(), stopAt)) {
                    return Delivery.STOPPED;
                }
                Map<String, List<Routed>> byProvider = new LinkedHashMap<>();
                for (Routed r : remaining) {
                    while (r.provider() != null && (down.contains(r.provider()) || providers.get(r.provider()) == null
                            || quotaUsedUp.contains(r.provider()) || pacing.quotaUsedUp(r.provider()))) {
                        if (down.contains(r.provider())) {
                            tallies.merge(r.provider(), new CallTally(0, 0, 1), CallTally::plus);
                            r.reason = Route.failover(r.provider());
                            callStats.failover(r.provider());
                        } else if (providers.get(r.provider()) != null) {
                            quotaUsedUp.add(r.provider());
                            r.reason = Route.failover(r.provider());
                            callStats.failover(r.provider());
                        }
                        r.index++;
                    }
                    if (r.provider() == null) {
                        stranded = true; // no provider left for it now: it stays unsent, the batch is retried later
                        noProviderLeft.add(r);
                    } else {
                        byProvider.computeIfAbsent(r.provider(), p -> new ArrayList<>()).add(r);
                    }
                }
                List<Routed> retry = new ArrayList<>();
                boolean outOfTime = false;
                boolean failedOver = false;
                Duration wait = null;
                Grant paced = null;
                for (Map.Entry<String, List<Routed>> group : byProvider.entrySet()) {
                    EmailProvider provider = providers.get(group.getKey());
                    boolean failOver = false;
                    Duration providerWait = null;
                    Grant providerPaced = null;
                    for (List<Routed> call : chunks(group.getValue(), provider.maxBatchSize())) {
                        Instant callStart = clock.instant();
                        outOfTime |= !hasTimeForACall(callStart, stopAt);
                        if (failOver || providerWait != null || outOfTime || providerPaced != null) {
                            retry.addAll(call);
                            continue;
                        }
                        // Permits before anything is marked in flight: what is not granted is not touched.
                        Grant grant = pacing.acquire(provider.name(), call.size());
                        if (grant.granted() < call.size()) {
                            providerPaced = grant;
                            retry.addAll(call.subList(grant.granted(), call.size()));
                            call = call.subList(0, grant.granted());
                            if (call.isEmpty()) {
                                continue;
                            }
                        }
                        List<String> emails = call.stream().map(r -> ledgerName(r.message.to())).toList();
                        if (!ledger.markInflight(campaign.id(), batch.batch(), owner, emails)) {
                            throw new LeaseLostException();
                        }
                        inflightWritten = true;
                        if (!grant.usableAt(clock.instant())) {
                            // The ledger write took so long that the permits' second is (nearly) over: sent now, the
                            // call could reach the provider in the next second on top of that second's permits. Not
                            // sent; the in-flight mark is cleared and the call asks again (these permits are lost).
                            record(Map.of());
                            retry.addAll(call);
                            providerPaced = new Grant(0, Grant.Limit.RATE, clock.instant());
                            continue;
                        }
                        List<SendResult> answered;
                        List<EmailAddress> unanswered = List.of();
                        long failed = 0;
                        boolean throttled = false;
                        Instant sendStart = clock.instant();
                        try {
                            // The call's own timeout ends it before stopAt, so its outcome can still be recorded.
                            answered = provider.send(call.stream().map(r -> r.message).toList(), Duration.between(callStart, stopAt));
                        } catch (ProviderThrottledException e) {
                            failedCalls.merge(provider.name(), 1L, Long::sum);
                            failed = 1;
                            answered = e.completed();
                            providerWait = e.retryAfter().orElse(backoff);
                            throttled = true;
                        } catch (ProviderUnavailableException e) {
                            failedCalls.merge(provider.name(), 1L, Long::sum);
                            failed = 1;
                            answered = e.completed();
                            unanswered = e.mayHaveBeenAccepted();
                            failOver = true;
                        }
                        callStats.call(provider.name(), Duration.between(sendStart, clock.instant()));
                        tallies.merge(provider.name(), new CallTally(1, failed, 0), CallTally::plus);
                        Map<String, Routed> byEmail = new HashMap<>();
                        call.forEach(r -> byEmail.put(ledgerName(r.message.to()), r));
                        Map<String, RecipientResult> recorded = new LinkedHashMap<>();
                        for (EmailAddress email : unanswered) {
                            // The request left and no answer came: maybe accepted. Failing it over could send twice.
                            Routed r = byEmail.remove(ledgerName(email));
                            if (r != null) {
                                recorded.put(ledgerName(email), new RecipientResult(Fate.UNKNOWN, provider.name(), null,
                                        "no answer from the provider; not sent again to avoid a duplicate", r.reason));
                            }
                        }
                        for (SendResult result : answered) {
                            String email = ledgerName(result.recipient());
                            Routed r = byEmail.remove(email);
                            if (r == null) {
                                continue;
                            }
                            switch (result.outcome()) {
                                case ACCEPTED -> recorded.put(email, new RecipientResult(Fate.SENT, provider.name(),
                                        result.providerMessageId(), null, r.reason));
                                case REJECTED -> recorded.put(email, new RecipientResult(Fate.REJECTED, provider.name(), null,
                                        result.detail(), r.reason));
                                default -> {
                                    throttled |= result.outcome() == SendResult.Outcome.THROTTLED;
                                    retry.add(r);
                                    providerWait = providerWait == null ? backoff : providerWait;
                                }
                            }
                        }
                        retry.addAll(byEmail.values()); // not answered: the call failed before them
                        record(recorded);
                        if (throttled) {
                            pacing.throttled(provider.name()); // the provider's rate comes down for every instance
                        }
                    }
                    if (failOver) {
                        down.add(group.getKey());
                        failedOver = true;
                    }
                    if (providerPaced != null && providerPaced.limitedBy() == Grant.Limit.QUOTA) {
                        quotaUsedUp.add(group.getKey()); // its recipients move on to their next provider
                        failedOver = true;
                    } else if (providerPaced != null && (paced == null || providerPaced.retryAt() == null
                            || (paced.retryAt() != null && providerPaced.retryAt().isBefore(paced.retryAt())))) {
                        paced = providerPaced;
                    }
                    if (providerWait != null && (wait == null || providerWait.compareTo(wait) < 0)) {
                        wait = providerWait;
                    }
                }
                remaining = retry;
                if (outOfTime) {
                    return Delivery.STOPPED; // the rest stays unsent; the batch is released for the next delivery
                }
                if (remaining.isEmpty()) {
                    break;
                }
                if (failedOver) {
                    round++; // the moved recipients go out in the next round, through their next provider
                } else if (wait != null) {
                    round++;
                    pause(wait, stopAt);
                    backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(20)) > 0 ? Duration.ofSeconds(20) : backoff.multipliedBy(2);
                } else if (paced != null) {
                    // Waiting for the next second's permits is cheaper here than a new delivery (claim, re-reads),
                    // but only so long: the event's other batches and the time budget come first.
                    Instant retryAt = paced.retryAt() == null ? clock.instant() : paced.retryAt();
                    if (retryAt.isAfter(pacingEnds) || !hasTimeForACall(retryAt, stopAt)) {
                        long seconds = Math.max(1, (Duration.between(clock.instant(), retryAt).toMillis() + 999) / 1000);
                        pacedDelay = Duration.ofSeconds(Math.min(seconds, QUOTA_RECHECK.toSeconds()));
                        return Delivery.PACED;
                    }
                    pause(Duration.between(clock.instant(), retryAt), stopAt);
                } else {
                    round++; // the provider answered for fewer messages than it was given: ask again, boundedly
                }
            }
            if (stranded) {
                return quotaUsedUp.isEmpty() ? Delivery.STOPPED : Delivery.OVER_QUOTA;
            }
            return Delivery.DONE;
        }

        Result finish() {
            if (!finished && !ledger.finish(campaign.id(), batch.batch(), owner)) {
                throw new LeaseLostException();
            }
            Map<Fate, Long> byFate = new EnumMap<>(Fate.class);
            results.values().forEach(r -> byFate.merge(r.fate(), 1L, Long::sum));
            Map<String, Long> counters = new HashMap<>();
            byFate.forEach((fate, n) -> counters.put(fate.wireName(), n));
            Map<String, String> variants = new HashMap<>();
            batch.recipients().forEach(r -> variants.put(r.email(), r.variant()));
            results.forEach((email, r) -> {
                String variant = variants.get(email);
                if (variant != null) {
                    counters.merge("variant." + variant + "." + r.fate().wireName(), 1L, Long::sum);
                }
            });
            results.forEach((email, r) -> {
                // The split by recipient domain group (never the address), for the campaign's domain breakdown.
                counters.merge(RecipientDomains.counter(RecipientDomains.groupOf(email), r.fate().wireName()), 1L, Long::sum);
            });
            results.values().forEach(r -> {
                // The split by provider and by routing reason, for the campaign's stats.
                if (r.provider() != null) {
                    counters.merge("provider." + r.provider() + "." + r.fate().wireName(), 1L, Long::sum);
                }
                if (r.route() != null) {
                    counters.merge("route." + r.route(), 1L, Long::sum);
                }
            });
            counters.put("batchesDone", 1L);
            campaigns.addCounters(campaign.id(), counters);
            recordProviderStats();
            return Result.DONE;
        }

        /**
         * Per provider: messages it accepted, and errors (refusals, unanswered calls, failed calls) - by today; each
         * recipient's also per recipient domain group, in the same update (the per-domain reputation's base).
         */
        private void recordProviderStats() {
            Map<String, Map<String, Long>> byProvider = new HashMap<>();
            results.forEach((email, r) -> {
                if (r.provider() != null) {
                    String name = r.fate() == Fate.SENT ? "sent" : "errors";
                    Map<String, Long> counts = byProvider.computeIfAbsent(r.provider(), p -> new HashMap<>());
                    counts.merge(name, 1L, Long::sum);
                    counts.merge(RecipientDomains.counter(RecipientDomains.groupOf(email), name), 1L, Long::sum);
                }
            });
            failedCalls.forEach((provider, n) ->
                    byProvider.computeIfAbsent(provider, p -> new HashMap<>()).merge("errors", n, Long::sum));
            // Latency and failovers ride in the same write (one per provider per batch, not per recipient).
            callStats.drain().forEach((provider, counts) -> counts.forEach((name, n) ->
                    byProvider.computeIfAbsent(provider, p -> new HashMap<>()).merge(name, n, Long::sum)));
            LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
            byProvider.forEach((provider, counts) -> stats.add(today, provider, counts));
        }

        /** The calls and failovers not written yet (a delivery that leaves the batch unfinished): one write per provider. */
        void recordCallStats() {
            LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
            callStats.drain().forEach((provider, counts) -> stats.add(today, provider, counts));
        }

        private List<LedgerRecipient> unresolved() {
            return batch.recipients().stream().filter(r -> !results.containsKey(r.email())).toList();
        }

        /** Writes the batch's results so far (the new ones added) and clears the in-flight list. */
        private void record(Map<String, RecipientResult> newResults) {
            if (newResults.isEmpty() && !inflightWritten) {
                return; // nothing new and nothing in flight to clear: the ledger item (tens of KB) is not rewritten
            }
            inflightWritten = false;
            Map<String, RecipientResult> all = new LinkedHashMap<>(results);
            all.putAll(newResults);
            // Every recipient resolved: the batch is done with the same write (finish then only counts).
            boolean complete = batch.recipients().stream().allMatch(r -> all.containsKey(r.email()));
            if (!(complete ? ledger.recordAndFinish(campaign.id(), batch.batch(), owner, all)
                    : ledger.record(campaign.id(), batch.batch(), owner, all))) {
                throw new LeaseLostException();
            }
            finished = complete;
            results.putAll(newResults);
            newResults.values().forEach(r -> {
                if (r.provider() != null && r.fate() == Fate.SENT) {
                    measured.count(MetricNames.SENT, r.provider(), 1);
                } else if (r.provider() != null && (r.fate() == Fate.REJECTED || r.fate() == Fate.UNKNOWN)) {
                    measured.count(MetricNames.FAILED, r.provider(), 1);
                }
            });
        }

        /**
         * Counts the messages this delivery leaves for a later one, by the provider each was waiting for (or the last
         * one it tried, when none is left for it now).
         */
        void countDeferred() {
            for (Routed r : remaining) {
                measured.count(MetricNames.DEFERRED, r.provider() != null ? r.provider() : r.lastTried(), 1);
            }
            for (Routed r : noProviderLeft) {
                measured.count(MetricNames.DEFERRED, r.lastTried(), 1);
            }
        }

        private void pause(Duration wait, Instant deadline) {
            Duration left = Duration.between(clock.instant(), deadline);
            Duration sleep = wait.compareTo(left) > 0 ? left : wait;
            if (sleep.isNegative() || sleep.isZero()) {
                return;
            }
            try {
                sleeper.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while backing off", e);
            }
        }
    }

    /** A message on its way: its route and how far along it it is. */
    private static final class Routed {
        final OutgoingMessage message;
        final List<String> order;
        int index;
        String reason;

        Routed(OutgoingMessage message, Route route) {
            this.message = message;
            this.order = route.order();
            this.reason = route.reason();
        }

        String provider() {
            return index < order.size() ? order.get(index) : null;
        }

        /** The last provider of its route (where a message that ran out of providers waited last). */
        String lastTried() {
            return order.isEmpty() ? "none" : order.get(order.size() - 1);
        }
    }

    private boolean hasTimeForACall(Instant now, Instant stopAt) {
        return !now.plus(budget.minimumCall()).isAfter(stopAt);
    }

    /** Another invocation took the batch over (our lease ran out): stop without recording anything more. */
    public static final class LeaseLostException extends RuntimeException {
        LeaseLostException() {
            super("the batch's lease was taken over by another invocation");
        }
    }

    private static <T> List<List<T>> chunks(List<T> items, int size) {
        List<List<T>> chunks = new ArrayList<>();
        for (int i = 0; i < items.size(); i += size) {
            chunks.add(items.subList(i, Math.min(items.size(), i + size)));
        }
        return chunks;
    }
}
