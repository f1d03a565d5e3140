package dev.dispatch.campaign;

import dev.dispatch.TestStack;
import dev.dispatch.adapter.dynamodb.DynamoDbAddressMigration;
import dev.dispatch.adapter.dynamodb.DynamoDbCampaignStore;
import dev.dispatch.adapter.dynamodb.DynamoDbDeliveryStats;
import dev.dispatch.adapter.dynamodb.DynamoDbSendLedger;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberCounters;
import dev.dispatch.adapter.dynamodb.DynamoDbSubscriberStore;
import dev.dispatch.adapter.render.CampaignRenderer;
import dev.dispatch.adapter.render.HandlebarsTemplates;
import dev.dispatch.adapter.sqs.SqsEnqueueRequests;
import dev.dispatch.adapter.sqs.SqsSendQueue;
import dev.dispatch.domain.campaign.BatchSender;
import dev.dispatch.domain.campaign.CampaignEnqueuer;
import dev.dispatch.domain.campaign.CampaignService;
import dev.dispatch.domain.campaign.CampaignStore;
import dev.dispatch.domain.campaign.LedgerBatch;
import dev.dispatch.domain.campaign.NewBatch;
import dev.dispatch.domain.campaign.RecipientResult;
import dev.dispatch.domain.campaign.SendLedger;
import dev.dispatch.domain.campaign.SenderAllowlist;
import dev.dispatch.domain.campaign.SendQueue;
import dev.dispatch.domain.message.EmailProvider;
import dev.dispatch.domain.metrics.Measurements;
import dev.dispatch.domain.routing.ProviderRouting;
import dev.dispatch.domain.pacing.Pacing;
import dev.dispatch.domain.subscriber.SubscriberService;
import dev.dispatch.domain.subscriber.UnsubscribeKeyring;
import dev.dispatch.domain.subscriber.UnsubscribeTokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The campaign pipeline on the real adapters and the local stand-ins, with this test's own queues, driven the way
 * Lambda's SQS event sources drive the functions: a message is deleted only after its handler succeeded, a failed
 * one comes back after its (here 1 s) visibility timeout. Faults can be injected at each step.
 */
final class Pipeline {
    final String run = UUID.randomUUID().toString().substring(0, 8);
    final SqsClient sqs = TestStack.aws().sqs();
    final DynamoDbClient dynamoDb = TestStack.aws().dynamoDb();
    final String enqueueQueue = sqs.createQueue(b -> b.queueName("enqueue-" + run)).queueUrl();
    final String sendQueue = sqs.createQueue(b -> b.queueName("send-" + run)).queueUrl();
    /** Erasure records are keyed with this: every read of a person also reads its erasure record, as deployed. */
    final dev.dispatch.domain.privacy.ErasedAddresses erased = new dev.dispatch.domain.privacy.ErasedAddresses(
            () -> "the-pipeline-erasure-key-of-at-least-32-bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    final DynamoDbSubscriberStore subscriberStore = new DynamoDbSubscriberStore(dynamoDb, TestStack.subscriberTables(), erased);
    final SubscriberService subscribers = new SubscriberService(subscriberStore,
            new DynamoDbSubscriberCounters(dynamoDb, TestStack.subscriberTables().counters()), Clock.systemUTC());
    final DynamoDbCampaignStore campaignStore = new DynamoDbCampaignStore(dynamoDb, TestStack.aws().resources().tableName("CampaignsTable"));
    final DynamoDbDeliveryStats deliveryStats = new DynamoDbDeliveryStats(dynamoDb, TestStack.subscriberTables().counters());
    final DynamoDbSendLedger ledger = new DynamoDbSendLedger(dynamoDb, TestStack.aws().resources().tableName("SendLedgerTable"));
    final CampaignService campaigns = new CampaignService(campaignStore, ledger, new SqsSendQueue(sqs, sendQueue),
            new SqsEnqueueRequests(sqs, enqueueQueue), HandlebarsTemplates.html(), SenderAllowlist.parse("example.com"),
            Clock.systemUTC());
    /** The address migration over the shared tables, as the functions run it (once for all pipelines). */
    final DynamoDbAddressMigration migration = new DynamoDbAddressMigration(dynamoDb, TestStack.subscriberTables(),
            TestStack.aws().resources().tableName("EngagementTable"), TestStack.aws().resources().tableName("CampaignsTable"),
            "address-identity-pipelines", Clock.systemUTC());
    final CampaignRenderer renderer = new CampaignRenderer(new UnsubscribeTokens(UnsubscribeKeyring.single("k1", "k".repeat(40))), "https://mail.example.com");

    /** What the sender published, one entry per delivery of a batch. */
    final List<Measurements> measured = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    /** The enqueue step dies once right before moving its cursor (after its batches are stored and queued). */
    final AtomicInteger enqueueCrashesBeforeAdvance = new AtomicInteger();
    /** The enqueue step dies once right before starting an A/B test's remainder walk (after the decision is stored). */
    final AtomicInteger enqueueCrashesBeforeRestart = new AtomicInteger();
    /** The send step dies right before a provider call (mid-batch, between calls): nothing of that call went out. */
    final AtomicInteger sendCrashesBeforeProviderCall = new AtomicInteger();
    /** Every send message is handled twice, as SQS's at-least-once delivery may do. */
    boolean duplicateDeliveries;
    /** Permits per provider call (none by default). */
    Pacing pacing = Pacing.NONE;
    /** How long a batch waits for rate permits before it is handed back. */
    Duration maxPacingWait = Duration.ofSeconds(2);
    /** Batches queued again (paced, over quota) are delayed at most this long here (SQS's delay otherwise). */
    Duration requeueDelayCap = Duration.ofMinutes(15);
    /** Batches queued again by the sender. */
    final AtomicInteger requeued = new AtomicInteger();
    /** How long one enqueue invocation may page; zero = one page per invocation. */
    Duration enqueueBudget = Duration.ofSeconds(30);

    /** The warming step of the enqueuer (null: none, as the functions run with no enabled plan). */
    CampaignEnqueuer.Warming warming;
    /** The enqueuer's clock (what the warming allowance is measured on). */
    Clock enqueueClock = Clock.systemUTC();

    /** The send-time wave plans (null: this pipeline enqueues no campaign with a send time). */
    CampaignEnqueuer.SendTimes sendTimes;

    /** How often the enqueuer looks at an A/B test's wait again (SQS delays are whole seconds). */
    Duration abTestCheckInterval = Duration.ofMinutes(15);

    private CampaignEnqueuer enqueuer(int batchSize, int pageSize) {
        CampaignStore crashing = new CampaignStoreCrash(campaignStore, enqueueCrashesBeforeAdvance, enqueueCrashesBeforeRestart);
        return new CampaignEnqueuer(crashing, subscriberStore, ledger, new SqsSendQueue(sqs, sendQueue),
                new SqsEnqueueRequests(sqs, enqueueQueue), migration, enqueueClock, batchSize, pageSize,
                Duration.ofMillis(200), warming, abTestCheckInterval, sendTimes);
    }

    private BatchSender sender(Map<String, EmailProvider> providers) {
        return new BatchSender(campaignStore, subscriberStore, new LedgerCrash(ledger, sendCrashesBeforeProviderCall), renderer,
                providers, Clock.systemUTC(), d -> Thread.sleep(Math.min(d.toMillis(), 20)), Duration.ofSeconds(2),
                new BatchSender.TimeBudget(Duration.ofMillis(200), Duration.ofMillis(200)), deliveryStats, migration,
                ProviderRouting.standalone(Clock.systemUTC()), pacing, requeue(), maxPacingWait, measured::add);
    }

    private SendQueue requeue() {
        SqsSendQueue real = new SqsSendQueue(sqs, sendQueue);
        return new SendQueue() {
            @Override
            public void enqueue(String campaignId, List<Integer> batches) {
                real.enqueue(campaignId, batches);
            }

            @Override
            public void enqueueLater(String campaignId, int batch, Duration delay) {
                requeued.incrementAndGet();
                real.enqueueLater(campaignId, batch, delay.compareTo(requeueDelayCap) > 0 ? requeueDelayCap : delay);
            }
        };
    }

    /** Drives both queues until the campaign is final and nothing is left, or the time is up. */
    void drive(String campaignId, Map<String, EmailProvider> providers, int batchSize, int pageSize, Duration limit) throws Exception {
        if (!pump(campaignId, providers, batchSize, pageSize, limit, true)) {
            throw new AssertionError("campaign " + campaignId + " did not finish within " + limit + ": "
                    + campaignStore.find(campaignId).orElseThrow().status());
        }
    }

    /** Handles at most {@code steps} rounds of messages (each round: up to 10 of each queue). */
    void pumpRounds(String campaignId, Map<String, EmailProvider> providers, int batchSize, int pageSize, int steps) throws Exception {
        this.rounds = steps;
        try {
            pump(campaignId, providers, batchSize, pageSize, Duration.ofSeconds(30), false);
        } finally {
            this.rounds = Integer.MAX_VALUE;
        }
    }

    private int rounds = Integer.MAX_VALUE;

    private boolean pump(String campaignId, Map<String, EmailProvider> providers, int batchSize, int pageSize, Duration limit,
            boolean untilFinal) throws Exception {
        CampaignEnqueuer enqueuer = enqueuer(batchSize, pageSize);
        BatchSender sender = sender(providers);
        Instant deadline = Instant.now().plus(limit);
        for (int round = 0; round < rounds && Instant.now().isBefore(deadline); round++) {
            boolean worked = false;
            for (Message m : receive(enqueueQueue)) {
                worked = true;
                String id = m.body().replaceAll(".*\"campaignId\":\"([^\"]+)\".*", "$1");
                try {
                    enqueuer.handle(id, enqueueClock.instant().plus(enqueueBudget));
                    sqs.deleteMessage(b -> b.queueUrl(enqueueQueue).receiptHandle(m.receiptHandle()));
                } catch (SimulatedCrash e) {
                    // the invocation died: the message stays and comes back
                }
            }
            for (Message m : receive(sendQueue)) {
                worked = true;
                String id = m.body().replaceAll(".*\"campaignId\":\"([^\"]+)\".*", "$1");
                int batch = Integer.parseInt(m.body().replaceAll(".*\"batch\":(\\d+).*", "$1"));
                boolean ok = deliver(sender, id, batch);
                if (duplicateDeliveries) {
                    ok = deliver(sender, id, batch) || ok;
                }
                if (ok) {
                    sqs.deleteMessage(b -> b.queueUrl(sendQueue).receiptHandle(m.receiptHandle()));
                }
            }
            var status = campaignStore.find(campaignId).orElseThrow().status();
            if (!worked && status.isFinal() && untilFinal) {
                return true;
            }
            if (!worked) {
                Thread.sleep(100);
            }
        }
        return !untilFinal;
    }

    private boolean deliver(BatchSender sender, String campaignId, int batch) {
        try {
            BatchSender.Result result = sender.send(campaignId, batch, UUID.randomUUID().toString(), Instant.now().plusSeconds(20));
            return result != BatchSender.Result.RETRY_LATER && result != BatchSender.Result.NO_TIME;
        } catch (SimulatedCrash | BatchSender.LeaseLostException e) {
            return false;
        }
    }

    private List<Message> receive(String queue) {
        return sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).visibilityTimeout(1).waitTimeSeconds(0)).messages();
    }

    /** Every ledger batch of a campaign, read straight from the table. */
    List<LedgerBatch> ledgerBatches(String campaignId, int count) {
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> ledger.find(campaignId, i))
                .flatMap(Optional::stream).toList();
    }

    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(String where) {
            super("simulated crash " + where);
        }
    }

    private record CampaignStoreCrash(CampaignStore real, AtomicInteger crashes, AtomicInteger restartCrashes)
            implements CampaignStore {
        public boolean create(dev.dispatch.domain.campaign.Campaign c) { return real.create(c); }
        public Optional<dev.dispatch.domain.campaign.Campaign> find(String id) { return real.find(id); }
        public boolean transition(String id, dev.dispatch.domain.campaign.CampaignStatus from,
                dev.dispatch.domain.campaign.CampaignStatus to, Instant sendAt, Instant now) {
            return real.transition(id, from, to, sendAt, now);
        }
        public boolean advance(String id, dev.dispatch.domain.campaign.EnqueueProgress expected,
                dev.dispatch.domain.campaign.EnqueueProgress next, Map<String, Long> counters) {
            if (crashes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new SimulatedCrash("before the enqueue cursor moved");
            }
            return real.advance(id, expected, next, counters);
        }
        public boolean restart(String id, dev.dispatch.domain.campaign.EnqueueProgress expected,
                dev.dispatch.domain.campaign.EnqueueProgress next) {
            if (restartCrashes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new SimulatedCrash("before the remainder walk started");
            }
            return real.restart(id, expected, next);
        }
        public dev.dispatch.domain.campaign.AbTestState abTestState(String id) { return real.abTestState(id); }
        public Instant fixAbTestDecideAt(String id, Instant at) { return real.fixAbTestDecideAt(id, at); }
        public dev.dispatch.domain.campaign.AbTestDecision fixAbTestDecision(String id,
                dev.dispatch.domain.campaign.AbTestDecision d) { return real.fixAbTestDecision(id, d); }
        public void addCounters(String id, Map<String, Long> deltas) { real.addCounters(id, deltas); }
        public Map<String, Long> counters(String id) { return real.counters(id); }
    }

    private static final class LedgerCrash implements SendLedger {
        private final SendLedger real;
        private final AtomicInteger crashes;

        LedgerCrash(SendLedger real, AtomicInteger crashes) {
            this.real = real;
            this.crashes = crashes;
        }

        public boolean create(String campaignId, NewBatch batch) { return real.create(campaignId, batch); }
        public Optional<LedgerBatch> find(String campaignId, int batch) { return real.find(campaignId, batch); }
        public Optional<LedgerBatch> claim(String c, int b, String owner, Instant until, Instant now) { return real.claim(c, b, owner, until, now); }
        public boolean markInflight(String c, int b, String owner, List<String> emails) {
            if (crashes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new SimulatedCrash("in the middle of a batch, before a provider call");
            }
            return real.markInflight(c, b, owner, emails);
        }
        public boolean record(String c, int b, String owner, Map<String, RecipientResult> results) { return real.record(c, b, owner, results); }
        public boolean finish(String c, int b, String owner) { return real.finish(c, b, owner); }
        public boolean recordAndFinish(String c, int b, String owner, Map<String, RecipientResult> results) {
            return real.recordAndFinish(c, b, owner, results);
        }
        public void release(String c, int b, String owner) { real.release(c, b, owner); }
        public int countDone(String c) { return real.countDone(c); }
        public void park(String c, int b) { real.park(c, b); }
        public List<Integer> unpark(String c) { return real.unpark(c); }
    }
}
