package dev.dispatch.adapter.provider;

import dev.dispatch.adapter.render.MimeMessages;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.message.EmailProvider;
import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.message.ProviderThrottledException;
import dev.dispatch.domain.message.ProviderUnavailableException;
import dev.dispatch.domain.message.SendResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ses.SesClient;
import software.amazon.awssdk.services.ses.model.AccountSendingPausedException;
import software.amazon.awssdk.services.ses.model.ConfigurationSetDoesNotExistException;
import software.amazon.awssdk.services.ses.model.ConfigurationSetSendingPausedException;
import software.amazon.awssdk.services.ses.model.MailFromDomainNotVerifiedException;
import software.amazon.awssdk.services.ses.model.MessageRejectedException;
import software.amazon.awssdk.services.ses.model.MessageTag;
import software.amazon.awssdk.services.ses.model.RawMessage;
import software.amazon.awssdk.services.ses.model.SendRawEmailRequest;
import software.amazon.awssdk.services.ses.model.SesException;

/**
 * Amazon SES (API v1) with one {@code SendRawEmail} per message: SES's bulk call needs stored templates and would
 * lose the per-recipient rendering. Each message carries the correlation headers, SES message tags (every
 * correlation entry but the recipient, which stays in the headers: tag values allow only letters, digits, '_' and
 * '-', so other characters become '_') and, if given, a configuration set (event publishing).
 *
 * <p>Errors: {@code MessageRejected} and other client errors of a message ({@code InvalidParameterValue}) reject
 * that message; {@code Throttling} (rate or daily quota), {@code TooManyRequests} and {@code LimitExceeded} throw
 * {@link ProviderThrottledException}; paused or suspended sending, an unverified MAIL FROM domain, a missing
 * configuration set, bad credentials, 5xx and client-side failures (timeouts, refused connections) throw
 * {@link ProviderUnavailableException}. Either carries the results of the messages sent before it.
 *
 * <p>A call's messages are sent concurrently (see {@link #send}). The SesClient is built at the edge and reused; give it an {@code apiCallTimeout} and leave retries of
 * throttling to the caller's back-off (e.g. {@code RetryMode.STANDARD} with few attempts), so one call can't stall
 * the function.
 */
public final class SesProvider implements EmailProvider {
    public static final String NAME = "ses";
    /** A send() call sends at most this many messages. */
    public static final int MAX_BATCH_SIZE = 50;
    /**
     * Messages of one call in flight at once by default. SES's limit is a rate (per second), not a number of
     * connections; the caller's pacing already holds one permit per message of the call.
     */
    public static final int DEFAULT_CONCURRENCY = 10;
    /** A message is started only with this much of its call's time left (SES answers in well under a second). */
    static final Duration MIN_REQUEST_TIME = Duration.ofSeconds(1);
    /** Give the SesClient an {@code apiCallTimeout} no longer than this (send-batch: 20 s). */
    static final Duration MAX_REQUEST_TIME = Duration.ofSeconds(20);

    private static final int MAX_TAG_VALUE_LENGTH = 256;
    private static final Set<String> THROTTLING_CODES = Set.of("Throttling", "ThrottlingException",
            "TooManyRequestsException", "LimitExceeded", "LimitExceededException", "MaxSendRateExceeded");
    private static final Set<String> PAUSED_CODES = Set.of("AccountSendingPausedException", "AccountSendingPaused",
            "ConfigurationSetSendingPausedException", "ConfigurationSetSendingPaused", "AccountSuspended",
            "AccountSuspendedException", "SendingPaused", "SendingPausedException", "MailFromDomainNotVerifiedException",
            "MailFromDomainNotVerified", "ConfigurationSetDoesNotExist", "ConfigurationSetDoesNotExistException");
    private static final Set<String> CREDENTIAL_CODES = Set.of("InvalidClientTokenId", "SignatureDoesNotMatch",
            "UnrecognizedClientException", "AccessDenied", "AccessDeniedException", "ExpiredToken",
            "ExpiredTokenException", "MissingAuthenticationToken", "IncompleteSignature", "OptInRequired");

    private final SesClient client;
    private final String configurationSet;
    private final MimeMessages mime;
    private final ExecutorService senders;

    /**
     * @param configurationSet the configuration set for event publishing, or null
     * @param concurrency how many of a call's messages are in flight at once (1: one after the other)
     */
    public SesProvider(SesClient client, String configurationSet, MimeMessages mime, int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
        this.client = client;
        this.configurationSet = configurationSet == null || configurationSet.isBlank() ? null : configurationSet;
        this.mime = mime;
        this.senders = senders(concurrency);
    }

    public SesProvider(SesClient client, String configurationSet) {
        this(client, configurationSet, new MimeMessages(), DEFAULT_CONCURRENCY);
    }

    /** Daemon threads that end after a minute unused (a provider built and dropped leaves nothing running). */
    private static ExecutorService senders(int concurrency) {
        AtomicInteger number = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(concurrency, concurrency, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "ses-send-" + number.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int maxBatchSize() {
        return MAX_BATCH_SIZE;
    }

    /**
     * The messages go out concurrently, up to the provider's concurrency at once, each request given what is left of
     * {@code callTimeout} when that is shorter than {@link #MAX_REQUEST_TIME} (otherwise the client's own
     * {@code apiCallTimeout} applies). Why concurrently: the caller holds one rate permit per message for the current
     * second ({@code Pacing}), and one SendRawEmail takes tens of milliseconds, so one after the other a call of a
     * dozen messages spills into the next second; in flight together they go out within it.
     *
     * <p>A message is not started with less than {@link #MIN_REQUEST_TIME} left, nor after another message of the
     * call met throttling or an unavailable SES; such messages come back not sent ({@code FAILED_RETRYABLE}), or,
     * when the call ends in an exception, are simply absent from its {@code completed()} (the caller may send them
     * later). Messages already in flight are always waited for, so every message SES accepted is in the results or
     * in {@code completed()}: never reported unsent, never sent twice.
     */
    @Override
    public List<SendResult> send(List<OutgoingMessage> batch, Duration callTimeout) {
        Batches.requireSize(batch, MAX_BATCH_SIZE, NAME);
        long deadline = System.nanoTime() + Math.min(callTimeout.toNanos(), Long.MAX_VALUE / 4);
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<Attempt>> inFlight = new ArrayList<>(batch.size());
        for (OutgoingMessage message : batch) {
            inFlight.add(senders.submit(() -> attempt(message, deadline, stop)));
        }
        List<Attempt> attempts = new ArrayList<>(batch.size());
        for (Future<Attempt> attempt : inFlight) {
            attempts.add(join(attempt));
        }
        return results(batch, attempts);
    }

    /** One message of a call: sent, or not started (time up, or the call already failed), or failed. */
    private record Attempt(SendResult result, Failure failure) {
        static final Attempt NOT_STARTED = new Attempt(null, null);
    }

    /** What ends a whole call: throttling, or SES unavailable (with whether SES may have accepted this message). */
    private record Failure(boolean throttled, String detail, Duration retryAfter, Throwable cause, EmailAddress unanswered) {}

    private Attempt attempt(OutgoingMessage message, long deadline, AtomicBoolean stop) {
        Duration left = Duration.ofNanos(deadline - System.nanoTime());
        if (stop.get() || left.compareTo(MIN_REQUEST_TIME) < 0) {
            return Attempt.NOT_STARTED;
        }
        Attempt attempt = sendOne(message, left);
        if (attempt.failure() != null) {
            stop.set(true);
        }
        return attempt;
    }

    private static Attempt join(Future<Attempt> attempt) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return attempt.get();
                } catch (InterruptedException e) {
                    // The message may be on its way to SES: its answer must be waited for, not abandoned.
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            // sendOne turns every SDK failure into a Failure; anything else (a rendering bug) is the caller's.
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The call's outcome. A failure ends it in an exception carrying every message SES answered; when any message's
     * request timed out after leaving (SES may have accepted it) the exception is {@link ProviderUnavailableException}
     * naming those, so that the caller never sends them again blindly, whatever the first failure was.
     */
    private static List<SendResult> results(List<OutgoingMessage> batch, List<Attempt> attempts) {
        List<SendResult> done = attempts.stream().map(Attempt::result).filter(r -> r != null).toList();
        List<Failure> failures = attempts.stream().map(Attempt::failure).filter(f -> f != null).toList();
        if (!failures.isEmpty()) {
            List<EmailAddress> unanswered = failures.stream().map(Failure::unanswered).filter(a -> a != null).toList();
            Failure first = unanswered.isEmpty() ? failures.get(0)
                    : failures.stream().filter(f -> f.unanswered() != null).findFirst().orElseThrow();
            if (first.throttled()) {
                throw new ProviderThrottledException(NAME, first.detail(), first.retryAfter(), done);
            }
            throw new ProviderUnavailableException(NAME, first.detail(), done, first.cause(), unanswered);
        }
        List<SendResult> results = new ArrayList<>(batch.size());
        List<OutgoingMessage> notStarted = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if (attempts.get(i).result() != null) {
                results.add(attempts.get(i).result());
            } else {
                notStarted.add(batch.get(i));
            }
        }
        results.addAll(Batches.notStarted(notStarted));
        return results;
    }

    private Attempt sendOne(OutgoingMessage message, Duration left) {
        SendRawEmailRequest.Builder builder = SendRawEmailRequest.builder()
                .rawMessage(RawMessage.builder().data(SdkBytes.fromByteArray(mime.toBytes(message))).build())
                .destinations(message.to().value())
                .tags(tags(message))
                .configurationSetName(configurationSet);
        if (left.compareTo(MAX_REQUEST_TIME) < 0) {
            // This request only: it must end (answer or timeout) before the call's time is up.
            builder.overrideConfiguration(o -> o.apiCallTimeout(left));
        }
        SendRawEmailRequest request = builder.build();
        try {
            return new Attempt(SendResult.accepted(message.to(), client.sendRawEmail(request).messageId()), null);
        } catch (MessageRejectedException e) {
            return new Attempt(SendResult.rejected(message.to(), detail(e)), null);
        } catch (AccountSendingPausedException | ConfigurationSetSendingPausedException
                | MailFromDomainNotVerifiedException | ConfigurationSetDoesNotExistException e) {
            return unavailable(detail(e), e, null);
        } catch (SesException e) {
            String code = code(e);
            int status = e.statusCode();
            if (THROTTLING_CODES.contains(code) || status == 429) {
                return new Attempt(null, new Failure(true, detail(e), retryAfter(e), e, null));
            }
            if (PAUSED_CODES.contains(code) || CREDENTIAL_CODES.contains(code) || status >= 500 || status == 401
                    || status == 403 || status == 0) {
                return unavailable(detail(e), e, null);
            }
            // Any other client error is about this message (bad address, malformed content): permanent for it.
            return new Attempt(SendResult.rejected(message.to(), detail(e)), null);
        } catch (SdkClientException e) {
            // Timeouts and refused connections. A timeout after the request left may still have been accepted.
            return unavailable("client: " + Batches.shorten(e.getMessage()), e, unanswered(e) ? message.to() : null);
        } catch (SdkException e) {
            return unavailable(Batches.shorten(e.getMessage()), e, null);
        }
    }

    private static Attempt unavailable(String detail, Throwable cause, EmailAddress unanswered) {
        return new Attempt(null, new Failure(false, detail, null, cause, unanswered));
    }

    private static List<MessageTag> tags(OutgoingMessage message) {
        List<MessageTag> tags = new ArrayList<>();
        for (Map.Entry<String, String> entry : message.correlation().entrySet()) {
            if (!entry.getKey().equals(OutgoingMessage.RECIPIENT)) {
                tags.add(MessageTag.builder().name(entry.getKey()).value(tagValue(entry.getValue())).build());
            }
        }
        return tags;
    }

    static String tagValue(String value) {
        StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_TAG_VALUE_LENGTH));
        for (int i = 0; i < value.length() && out.length() < MAX_TAG_VALUE_LENGTH; i++) {
            char c = value.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    || c == '-';
            out.append(allowed ? c : '_');
        }
        return out.toString();
    }

    private static Duration retryAfter(SesException e) {
        // SES says nothing about when; a spent daily quota only comes back over the next 24 hours.
        String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        if (message != null && message.toLowerCase(Locale.ROOT).contains("daily")) {
            return Duration.ofHours(1);
        }
        return null;
    }

    private static String code(SesException e) {
        return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? ""
                : e.awsErrorDetails().errorCode();
    }

    private static String detail(SesException e) {
        String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
        return Batches.shorten(code(e) + " (" + e.statusCode() + "): " + message);
    }

    /** The call timed out after the request was written (not while connecting): SES may have accepted it. */
    private static boolean unanswered(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof software.amazon.awssdk.core.exception.ApiCallTimeoutException
                    || t instanceof software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException
                    || t instanceof java.net.SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
