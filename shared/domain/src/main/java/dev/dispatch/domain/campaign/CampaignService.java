package dev.dispatch.domain.campaign;

import dev.dispatch.domain.ConflictException;
import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.NotFoundException;
import dev.dispatch.domain.message.TemplateRenderer;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.SubscriberCounters;
import dev.dispatch.domain.subscriber.SubscriberStats;
import dev.dispatch.domain.subscriber.SubscriberStatus;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The campaign use cases the API offers: create, read, send now or later, pause, resume, cancel, stats. */
public class CampaignService {
    private static final char[] ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final CampaignStore campaigns;
    private final SendLedger ledger;
    private final SendQueue sendQueue;
    private final EnqueueRequests wakeUps;
    private final TemplateRenderer templates;
    private final SenderAllowlist senders;
    private final Clock clock;
    /** Null: an A/B test's sample size is not checked against the audience before it is sent. */
    private final SubscriberCounters audience;

    public CampaignService(CampaignStore campaigns, SendLedger ledger, SendQueue sendQueue, EnqueueRequests wakeUps,
            TemplateRenderer templates, SenderAllowlist senders, Clock clock) {
        this(campaigns, ledger, sendQueue, wakeUps, templates, senders, clock, null);
    }

    /** @param audience the subscriber counters, to refuse sending an A/B test whose audience can't fill its sample */
    public CampaignService(CampaignStore campaigns, SendLedger ledger, SendQueue sendQueue, EnqueueRequests wakeUps,
            TemplateRenderer templates, SenderAllowlist senders, Clock clock, SubscriberCounters audience) {
        this.audience = audience;
        this.campaigns = campaigns;
        this.ledger = ledger;
        this.sendQueue = sendQueue;
        this.wakeUps = wakeUps;
        this.templates = templates;
        this.senders = senders;
        this.clock = clock;
    }

    /** Validates and stores a draft; a From address outside the sender allowlist is refused before anything is stored. */
    public Campaign create(CampaignDraft draft) {
        Campaign campaign = draft.validate(newId(), templates, clock.instant());
        senders.check(new EmailAddress(campaign.fromEmail()), "fromEmail");
        if (!campaigns.create(campaign)) {
            throw new ConflictException("campaign id collision; retry");
        }
        return campaign;
    }

    public Campaign get(String id) {
        return campaigns.find(id).orElseThrow(() -> new NotFoundException("no campaign " + id));
    }

    /** Sends now ({@code at} null or past) or schedules. A draft or a paused campaign can be sent. */
    public Campaign send(String id, Instant at) {
        Campaign campaign = get(id);
        Instant now = clock.instant();
        boolean later = at != null && at.isAfter(now.plusSeconds(1));
        if (at != null && at.isAfter(now.plus(Duration.ofDays(366)))) {
            throw new InvalidInputException("sendAt", "must be within a year");
        }
        CampaignStatus target = later ? CampaignStatus.SCHEDULED : CampaignStatus.SENDING;
        if (campaign.status() != CampaignStatus.DRAFT && campaign.status() != CampaignStatus.SCHEDULED) {
            throw new ConflictException("a " + campaign.status().wireName() + " campaign can't be sent"
                    + (campaign.status() == CampaignStatus.PAUSED ? "; resume it instead" : ""));
        }
        if (campaign.abTest() != null && audience != null) {
            campaign.abTest().checkSampleSize(campaign.variants(), audienceAtMost(campaign));
        }
        move(campaign, target, later ? at : null);
        wakeUps.request(id, Duration.ZERO);
        return get(id);
    }

    public Campaign pause(String id) {
        Campaign campaign = get(id);
        if (campaign.status() == CampaignStatus.PAUSED) {
            return campaign;
        }
        move(campaign, CampaignStatus.PAUSED, campaign.sendAt());
        return get(id);
    }

    /** Back to sending (or to its schedule); batches put aside while paused are queued again. */
    public Campaign resume(String id) {
        Campaign campaign = get(id);
        if (campaign.status() != CampaignStatus.PAUSED) {
            throw new ConflictException("only a paused campaign can be resumed; this one is " + campaign.status().wireName());
        }
        boolean scheduled = campaign.sendAt() != null && campaign.sendAt().isAfter(clock.instant());
        move(campaign, scheduled ? CampaignStatus.SCHEDULED : CampaignStatus.SENDING, campaign.sendAt());
        List<Integer> parked = ledger.unpark(id);
        if (!parked.isEmpty()) {
            sendQueue.enqueue(id, parked);
        }
        wakeUps.request(id, Duration.ZERO);
        return get(id);
    }

    /** Stops for good. Batches not yet sent record every recipient as cancelled when they come up. */
    public Campaign cancel(String id) {
        Campaign campaign = get(id);
        if (campaign.status() == CampaignStatus.CANCELLED) {
            return campaign;
        }
        move(campaign, CampaignStatus.CANCELLED, campaign.sendAt());
        List<Integer> parked = ledger.unpark(id);
        if (!parked.isEmpty()) {
            sendQueue.enqueue(id, parked); // so their recipients get their recorded reason
        }
        if (campaign.sendTime() != null) {
            // enqueue-campaign turns the waves not yet enqueued into batches that record everyone as cancelled.
            wakeUps.request(id, Duration.ZERO);
        }
        return get(id);
    }

    /**
     * An upper bound of the campaign's audience from the per-segment counters (a member of two target segments counts
     * twice, excluded segments are not taken off), so a test is refused only when even that can't fill its sample.
     */
    private long audienceAtMost(Campaign campaign) {
        SubscriberStats stats = audience.read();
        long total = 0;
        for (String segment : campaign.segments()) {
            total += stats.bySegment().getOrDefault(segment, Map.of()).getOrDefault(SubscriberStatus.ACTIVE, 0L);
        }
        return total;
    }

    /** The A/B test's decision time and decision so far. */
    public AbTestState abTestState(String id) {
        return campaigns.abTestState(id);
    }

    public Map<String, Long> counters(String id) {
        get(id);
        return campaigns.counters(id);
    }

    private void move(Campaign campaign, CampaignStatus target, Instant sendAt) {
        if (!campaign.status().canMoveTo(target)) {
            throw new ConflictException("a " + campaign.status().wireName() + " campaign can't become " + target.wireName());
        }
        if (!campaigns.transition(campaign.id(), campaign.status(), target, sendAt, clock.instant())) {
            throw new ConflictException("the campaign changed meanwhile; read it again and retry");
        }
    }

    private static String newId() {
        StringBuilder id = new StringBuilder("cmp_");
        for (int i = 0; i < 16; i++) {
            id.append(ID_ALPHABET[RANDOM.nextInt(ID_ALPHABET.length)]);
        }
        return id.toString();
    }
}
