package dev.dispatch.adapter.provider;

import dev.dispatch.adapter.render.MimeMessages;
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
 * <p>The SesClient is built at the edge and reused; give it an {@code apiCallTimeout} and leave retries of
 * throttling to the caller's back-off (e.g. {@code RetryMode.STANDARD} with few attempts), so one call can't stall
 * the function.
 */
public final class SesProvider implements EmailProvider {
    public static final String NAME = "ses";
    /** A send() call sends this many messages one after the other. */
    public static final int MAX_BATCH_SIZE = 50;
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

    /**
     * @param configurationSet the configuration set for event publishing, or null
     */
    public SesProvider(SesClient client, String configurationSet, MimeMessages mime) {
        this.client = client;
        this.configurationSet = configurationSet == null || configurationSet.isBlank() ? null : configurationSet;
        this.mime = mime;
    }

    public SesProvider(SesClient client, String configurationSet) {
        this(client, configurationSet, new MimeMessages());
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
     * The messages go out one after the other, each request given what is left of {@code callTimeout} when that
     * is shorter than {@link #MAX_REQUEST_TIME} (otherwise the client's own {@code apiCallTimeout} applies); a message is not started with less than {@link #MIN_REQUEST_TIME}
     * left, and it and the rest come back not sent ({@code FAILED_RETRYABLE}).
     */
    @Override
    public List<SendResult> send(List<OutgoingMessage> batch, Duration callTimeout) {
        Batches.requireSize(batch, MAX_BATCH_SIZE, NAME);
        long deadline = System.nanoTime() + Math.min(callTimeout.toNanos(), Long.MAX_VALUE / 4);
        List<SendResult> results = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            if (left.compareTo(MIN_REQUEST_TIME) < 0) {
                results.addAll(Batches.notStarted(batch.subList(i, batch.size())));
                break;
            }
            results.add(sendOne(batch.get(i), results, left));
        }
        return results;
    }

    private SendResult sendOne(OutgoingMessage message, List<SendResult> done, Duration left) {
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
            return SendResult.accepted(message.to(), client.sendRawEmail(request).messageId());
        } catch (MessageRejectedException e) {
            return SendResult.rejected(message.to(), detail(e));
        } catch (AccountSendingPausedException | ConfigurationSetSendingPausedException
                | MailFromDomainNotVerifiedException | ConfigurationSetDoesNotExistException e) {
            throw new ProviderUnavailableException(NAME, detail(e), done, e);
        } catch (SesException e) {
            String code = code(e);
            int status = e.statusCode();
            if (THROTTLING_CODES.contains(code) || status == 429) {
                throw new ProviderThrottledException(NAME, detail(e), retryAfter(e), done);
            }
            if (PAUSED_CODES.contains(code) || CREDENTIAL_CODES.contains(code) || status >= 500 || status == 401
                    || status == 403 || status == 0) {
                throw new ProviderUnavailableException(NAME, detail(e), done, e);
            }
            // Any other client error is about this message (bad address, malformed content): permanent for it.
            return SendResult.rejected(message.to(), detail(e));
        } catch (SdkClientException e) {
            // Timeouts and refused connections. A timeout after the request left may still have been accepted.
            throw new ProviderUnavailableException(NAME, "client: " + Batches.shorten(e.getMessage()), done, e,
                    unanswered(e) ? List.of(message.to()) : List.of());
        } catch (SdkException e) {
            throw new ProviderUnavailableException(NAME, Batches.shorten(e.getMessage()), done, e);
        }
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
