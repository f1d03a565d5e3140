package dev.dispatch.domain.message;

import java.time.Duration;
import java.util.List;

/**
 * An email service provider (SES, SendGrid, Postmark). Implementations are thread-safe and reuse one client.
 *
 * <p>Contract of {@link #send}: it returns one {@link SendResult} per message, in the order given, when the
 * provider answered for every message (some may be rejected, throttled or failed per entry). When the provider as
 * a whole can't take more (throttled, down, paused, bad credentials) it throws {@link ProviderThrottledException}
 * or {@link ProviderUnavailableException}; the exception carries the results of the messages handled before the
 * failure ({@link ProviderException#completed()}), and every other message of the batch was not sent by this
 * call. One window can't be closed by any client: a call that timed out after the request left may have been
 * accepted by the provider. Such a call is reported as unavailable.
 */
public interface EmailProvider {

    /** No limit from the caller: the adapter's own request timeout applies. */
    Duration UNBOUNDED = Duration.ofDays(365);

    /** "ses", "sendgrid" or "postmark". */
    String name();

    /**
     * Whether the provider can be given traffic at all now (e.g. its credential is set); selection leaves it out when
     * not, instead of sending to it and failing over.
     */
    default boolean ready() {
        return true;
    }

    /** The most messages one {@link #send} call takes. */
    int maxBatchSize();

    /**
     * Sends each message to its one recipient, the whole call within {@code timeout} (capped by the adapter's own
     * request timeout): no request is started that could not finish in it, so the caller can record the outcome
     * before its own deadline. Messages the call had no time left to start come back
     * {@link SendResult.Outcome#FAILED_RETRYABLE}: they were not sent.
     *
     * @throws IllegalArgumentException for more than {@link #maxBatchSize()} messages
     * @throws ProviderThrottledException the provider throttles the account: back off (see
     *     {@link ProviderThrottledException#retryAfter()}) and send the rest later
     * @throws ProviderUnavailableException the provider can't send now: fail the rest over to the next provider
     */
    List<SendResult> send(List<OutgoingMessage> batch, Duration timeout);

    /** {@link #send(List, Duration)} with only the adapter's own request timeout. */
    default List<SendResult> send(List<OutgoingMessage> batch) {
        return send(batch, UNBOUNDED);
    }
}
