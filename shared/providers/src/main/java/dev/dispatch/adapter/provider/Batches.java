package dev.dispatch.adapter.provider;

import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.message.SendResult;
import java.time.Duration;
import java.util.List;

/** Small helpers the provider adapters share. */
final class Batches {
    private static final int MAX_DETAIL = 300;

    private Batches() {}

    static void requireSize(List<OutgoingMessage> batch, int max, String provider) {
        if (batch == null) {
            throw new IllegalArgumentException("batch is null");
        }
        if (batch.size() > max) {
            throw new IllegalArgumentException(provider + " takes at most " + max + " messages a call, got " + batch.size());
        }
    }

    /** The shorter of the adapter's own request timeout and what the caller has left for the call. */
    static Duration within(Duration own, Duration callTimeout) {
        return callTimeout == null || callTimeout.compareTo(own) > 0 ? own : callTimeout;
    }

    /** The messages a call had no time left to start: not sent, so the caller may send them later. */
    static List<SendResult> notStarted(List<OutgoingMessage> messages) {
        return messages.stream().map(m -> SendResult.failedRetryable(m.to(), "not sent: no time left in this call")).toList();
    }

    /** One line, at most 300 characters: details go into results and logs. */
    static String shorten(String text) {
        if (text == null) {
            return "";
        }
        String line = text.replaceAll("[\\r\\n\\t]+", " ").strip();
        return line.length() <= MAX_DETAIL ? line : line.substring(0, MAX_DETAIL - 3) + "...";
    }

    /** A Retry-After header in seconds (the HTTP-date form is not used by these providers); null if absent. */
    static Duration retryAfterSeconds(String value) {
        if (value == null) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.strip());
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
