package dev.dispatch.adapter.webhook;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.MalformedWebhookException;
import dev.dispatch.domain.engagement.WebhookAuthenticationException;
import dev.dispatch.domain.engagement.WebhookRequest;
import dev.dispatch.domain.engagement.WebhookTooLargeException;
import dev.dispatch.domain.subscriber.EmailAddress;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/** What every provider's webhook shares: limits, JSON reading that names the field, constant-time comparison. */
final class WebhookSupport {
    /** 1 MiB: SendGrid posts at most ~768 KB a request; SNS messages are at most 256 KB. */
    static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    static final Duration DEFAULT_REPLAY_WINDOW = Duration.ofMinutes(5);

    // Duplicate keys are refused: a body two parsers could read differently is not one we act on.
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private WebhookSupport() {}

    static void requireWithinLimit(WebhookRequest request, int maxBodyBytes) {
        if (request.bodyLength() > maxBodyBytes) {
            throw new WebhookTooLargeException(request.bodyLength(), maxBodyBytes);
        }
    }

    static int checkedLimit(int maxBodyBytes) {
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("maxBodyBytes must be positive");
        }
        return maxBodyBytes;
    }

    static Duration checkedWindow(Duration window) {
        if (window == null || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("replay window must be positive");
        }
        return window;
    }

    static JsonNode readJson(byte[] body, String field) {
        if (body.length == 0) {
            throw new MalformedWebhookException(field, "is empty");
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new MalformedWebhookException(field, "is empty");
            }
            return node;
        } catch (IOException e) {
            throw new MalformedWebhookException(field, "is not valid JSON");
        }
    }

    static JsonNode readJson(String text, String field) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new MalformedWebhookException(field, "is empty");
            }
            return node;
        } catch (IOException e) {
            throw new MalformedWebhookException(field, "is not valid JSON");
        }
    }

    /** A required non-blank string field. */
    static String text(JsonNode object, String name, String path) {
        String value = optionalText(object, name, path);
        if (value == null) {
            throw new MalformedWebhookException(path + name, "is required");
        }
        return value;
    }

    /** A string (or number, as text) field; null when absent, null or blank. */
    static String optionalText(JsonNode object, String name, String path) {
        JsonNode value = object.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isValueNode()) {
            throw new MalformedWebhookException(path + name, "must be a string");
        }
        String text = value.asText();
        return text.isBlank() ? null : text;
    }

    static JsonNode object(JsonNode parent, String name, String path) {
        JsonNode value = parent.get(name);
        if (value == null || !value.isObject()) {
            throw new MalformedWebhookException(path + name, "must be an object");
        }
        return value;
    }

    static String eventId(String id, String field) {
        if (id.length() > EngagementEvent.MAX_ID_LENGTH) {
            throw new MalformedWebhookException(field, "is longer than " + EngagementEvent.MAX_ID_LENGTH + " characters");
        }
        return id;
    }

    static EmailAddress email(String raw, String field) {
        if (raw == null) {
            throw new MalformedWebhookException(field, "is required");
        }
        try {
            return EmailAddress.parse(raw, field);
        } catch (InvalidInputException e) {
            throw new MalformedWebhookException(field, e.reason());
        }
    }

    static Instant unixSeconds(JsonNode object, String name, String path) {
        JsonNode value = object.get(name);
        if (value == null || value.isNull()) {
            throw new MalformedWebhookException(path + name, "is required");
        }
        if (!value.canConvertToLong() || (!value.isIntegralNumber() && !value.isTextual())) {
            throw new MalformedWebhookException(path + name, "must be unix seconds");
        }
        try {
            return Instant.ofEpochSecond(value.isTextual() ? Long.parseLong(value.asText().strip()) : value.asLong());
        } catch (NumberFormatException | DateTimeException e) {
            throw new MalformedWebhookException(path + name, "must be unix seconds");
        }
    }

    /** ISO-8601 with an offset or Z, any fraction of a second (SES: millis; Postmark: 7 digits and an offset). */
    static Instant isoInstant(String raw, String field) {
        if (raw == null) {
            throw new MalformedWebhookException(field, "is required");
        }
        try {
            return OffsetDateTime.parse(raw.strip(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeException e) {
            throw new MalformedWebhookException(field, "must be an ISO-8601 time with an offset");
        }
    }

    /**
     * The signed timestamp (unix seconds) if it is within the replay window of now, either way: providers don't
     * check freshness, so a captured request could otherwise be replayed forever.
     */
    static Instant freshTimestamp(String raw, Clock clock, Duration window) {
        long seconds;
        try {
            seconds = Long.parseLong(raw.strip());
        } catch (NumberFormatException e) {
            throw WebhookAuthenticationException.refused("timestamp is not unix seconds");
        }
        Instant signedAt;
        try {
            signedAt = Instant.ofEpochSecond(seconds);
        } catch (DateTimeException e) {
            throw WebhookAuthenticationException.refused("timestamp is out of range");
        }
        Duration age = Duration.between(signedAt, clock.instant()).abs();
        if (age.compareTo(window) > 0) {
            throw WebhookAuthenticationException.refused("timestamp is outside the replay window");
        }
        return signedAt;
    }

    /**
     * Equality of two secrets in time that depends on neither their contents nor their lengths: both sides are
     * hashed to 32 bytes first, then compared with {@link MessageDigest#isEqual}.
     */
    static boolean constantTimeEquals(byte[] presented, byte[] expected) {
        return MessageDigest.isEqual(sha256(presented), sha256(expected));
    }

    static byte[] sha256(byte[] value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
