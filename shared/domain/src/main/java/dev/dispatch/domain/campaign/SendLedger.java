package dev.dispatch.domain.campaign;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The exactly-once record of a campaign's sends, one item per (campaign, batch) holding per-recipient results,
 * so a batch costs a handful of writes instead of one per recipient. Every write after the claim is conditioned
 * on the owner, so an invocation whose lease was taken over can't record anything.
 */
public interface SendLedger {

    /** Fixes a batch's recipients; false if the batch number exists already (a re-run of the enqueue page). */
    boolean create(String campaignId, NewBatch batch);

    /** Number of batches of the campaign that are done (exact). */
    int countDone(String campaignId);

    /** Notes that a batch was put aside because its campaign is paused; resume sends it again. */
    void park(String campaignId, int batch);

    /** The parked batches of a campaign, removing their marks. */
    List<Integer> unpark(String campaignId);

    Optional<LedgerBatch> find(String campaignId, int batch);

    /** Takes the batch if it is pending or its lease has run out; empty if it is done or someone holds it. */
    Optional<LedgerBatch> claim(String campaignId, int batch, String owner, Instant leaseUntil, Instant now);

    /** Notes the recipients of a provider call about to start. False if the lease was lost. */
    boolean markInflight(String campaignId, int batch, String owner, List<String> emails);

    /** Stores the batch's results so far (all of them) and clears the in-flight list. False if the lease was lost. */
    boolean record(String campaignId, int batch, String owner, Map<String, RecipientResult> results);

    /** Marks the batch done. False if the lease was lost. */
    boolean finish(String campaignId, int batch, String owner);

    /**
     * {@link #record} and {@link #finish} in one write, when {@code results} resolve every recipient of the batch
     * (the ledger item is tens of KB, so each write of it counts). False if the lease was lost.
     */
    boolean recordAndFinish(String campaignId, int batch, String owner, Map<String, RecipientResult> results);

    /** Gives the batch back (pending) for a later retry, e.g. when every provider is down. */
    void release(String campaignId, int batch, String owner);
}
