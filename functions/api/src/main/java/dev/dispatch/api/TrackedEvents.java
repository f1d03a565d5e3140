package dev.dispatch.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementType;
import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.subscriber.EmailAddress;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /engagement/track}: events from the platform's own sources in the generic webhook format
 * (see {@code GenericWebhook}), read more strictly than a provider's webhook, because our own callers can fix what
 * they send: every row is checked before anything is queued, an unknown type or field is refused rather than
 * counted as "other", and the first problem is reported with its row and field ({@code events[3].email}).
 */
final class TrackedEvents {
    /** The provider name tracked events are recorded under (history, daily stats, event identity). */
    static final String PROVIDER = "track";
    static final int MAX_EVENTS = 1000;
    /** A caller's clock may run a little ahead; further ahead is a unit mistake (milliseconds as seconds). */
    static final Duration MAX_AHEAD = Duration.ofHours(1);

    static final int MAX_URL_LENGTH = 2048;
    static final int MAX_REASON_LENGTH = EngagementEvent.MAX_DETAIL_LENGTH;

    // The same rule as a campaign's variant ids (CampaignDraft), so a tracked variant can only name a real arm and
    // never makes a counter name with a dot in it.
    private static final Pattern VARIANT = Pattern.compile("[A-Za-z0-9_-]{1,16}");
    // Correlation values travel as provider tags and headers: printable ASCII without spaces, within their limit.
    private static final Pattern CORRELATION = Pattern.compile(
            "[\\x21-\\x7E]{1," + OutgoingMessage.MAX_CORRELATION_VALUE_LENGTH + "}");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\u2028\\u2029]");

    private static final Set<String> FIELDS = new TreeSet<>(List.of(
            "id", "type", "email", "timestamp", "campaignId", "variant", "url", "reason", "recipientKey", "batchId"));
    private static final Map<String, EngagementType> TYPES = types();

    // Duplicate keys are refused: a body two parsers could read differently is not one we act on.
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private TrackedEvents() {}

    /**
     * Every event of the body, in order, or an {@link InvalidInputException} naming the first problem.
     *
     * @param now the time future timestamps are judged by
     */
    static List<EngagementEvent> parse(byte[] body, Instant now) {
        JsonNode events = events(read(body));
        if (events.isEmpty()) {
            throw new InvalidInputException("events", "is empty; send at least one event");
        }
        if (events.size() > MAX_EVENTS) {
            throw new InvalidInputException("events", "holds " + events.size() + " events; at most " + MAX_EVENTS
                    + " are accepted per request");
        }
        List<EngagementEvent> parsed = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            parsed.add(event(events.get(i), "events[" + i + "]", now));
        }
        return parsed;
    }

    private static JsonNode read(byte[] body) {
        if (body == null || body.length == 0) {
            throw new InvalidInputException("body", "is empty; send a JSON array of events");
        }
        try {
            JsonNode root = JSON.readTree(body);
            if (root == null || root.isMissingNode()) {
                throw new InvalidInputException("body", "is empty; send a JSON array of events");
            }
            return root;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new InvalidInputException("body", "malformed JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidInputException("body", "can't be read as JSON");
        }
    }

    /** A bare array, or {"events": [...]} and nothing else. */
    private static JsonNode events(JsonNode root) {
        if (root.isArray()) {
            return root;
        }
        if (root.isObject()) {
            for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!name.equals("events")) {
                    throw new InvalidInputException(name, "is not a known field (known: events)");
                }
            }
            JsonNode events = root.get("events");
            if (events == null || events.isNull()) {
                throw new InvalidInputException("events", "is required");
            }
            if (!events.isArray()) {
                throw new InvalidInputException("events", "must be an array of events");
            }
            return events;
        }
        throw new InvalidInputException("body", "must be a JSON array of events or an object {\"events\": [...]}");
    }

    private static EngagementEvent event(JsonNode node, String row, Instant now) {
        if (!node.isObject()) {
            throw new InvalidInputException(row, "must be an object");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidInputException(row + "." + name, "is not a known field (known: " + String.join(", ", FIELDS) + ")");
            }
        }
        String id = required(node, "id", row);
        if (id.length() > EngagementEvent.MAX_ID_LENGTH) {
            throw new InvalidInputException(row + ".id", "is longer than " + EngagementEvent.MAX_ID_LENGTH + " characters");
        }
        if (CONTROL.matcher(id).find()) {
            throw new InvalidInputException(row + ".id", "must not contain control characters");
        }
        String typeName = required(node, "type", row);
        EngagementType type = TYPES.get(typeName.strip().toLowerCase(Locale.ROOT));
        if (type == null) {
            throw new InvalidInputException(row + ".type", "is not a known type (known: " + String.join(", ", TYPES.keySet()) + ")");
        }
        EmailAddress email = EmailAddress.parse(required(node, "email", row), row + ".email");
        Instant at = timestamp(node, row, now);
        return EngagementEvent.builder(PROVIDER, id, type, email, at)
                .correlation(correlation(node, "campaignId", row), variant(node, row),
                        correlation(node, "recipientKey", row), correlation(node, "batchId", row))
                .url(url(node, row))
                .detail(reason(node, row))
                .providerType(type.name().toLowerCase(Locale.ROOT))
                .build();
    }

    private static String required(JsonNode node, String name, String row) {
        String value = optional(node, name, row);
        if (value == null) {
            throw new InvalidInputException(row + "." + name, "is required");
        }
        return value;
    }

    /** A string field: null when absent, null or blank; any other JSON type is refused (no silent conversion). */
    private static String optional(JsonNode node, String name, String row) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidInputException(row + "." + name, "must be a string");
        }
        String text = value.textValue();
        return text.isBlank() ? null : text;
    }

    /** ISO-8601 with an offset or Z, or unix seconds as a whole number, as in the generic webhook format. */
    private static Instant timestamp(JsonNode node, String row, Instant now) {
        String field = row + ".timestamp";
        JsonNode value = node.get("timestamp");
        if (value == null || value.isNull()) {
            throw new InvalidInputException(field, "is required");
        }
        Instant at;
        if (value.isNumber()) {
            if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                throw new InvalidInputException(field, "must be whole unix seconds or an ISO-8601 time with an offset");
            }
            try {
                at = Instant.ofEpochSecond(value.longValue());
            } catch (DateTimeException e) {
                throw new InvalidInputException(field, "is out of range");
            }
        } else if (value.isTextual()) {
            try {
                at = OffsetDateTime.parse(value.textValue().strip(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeException e) {
                throw new InvalidInputException(field, "must be an ISO-8601 time with an offset, such as 2026-12-01T10:00:00Z");
            }
        } else {
            throw new InvalidInputException(field, "must be whole unix seconds or an ISO-8601 time with an offset");
        }
        if (at.isAfter(now.plus(MAX_AHEAD))) {
            throw new InvalidInputException(field, "is more than " + MAX_AHEAD.toHours() + " hour in the future");
        }
        return at;
    }

    private static String correlation(JsonNode node, String name, String row) {
        String value = optional(node, name, row);
        if (value != null && !CORRELATION.matcher(value).matches()) {
            throw new InvalidInputException(row + "." + name, "must be at most " + OutgoingMessage.MAX_CORRELATION_VALUE_LENGTH
                    + " printable characters without spaces");
        }
        return value;
    }

    private static String variant(JsonNode node, String row) {
        String value = optional(node, "variant", row);
        if (value != null && !VARIANT.matcher(value).matches()) {
            throw new InvalidInputException(row + ".variant", "must be a variant id: 1 to 16 letters, digits, '_' or '-'");
        }
        return value;
    }

    private static String url(JsonNode node, String row) {
        String value = optional(node, "url", row);
        if (value == null) {
            return null;
        }
        String field = row + ".url";
        if (value.length() > MAX_URL_LENGTH) {
            throw new InvalidInputException(field, "is longer than " + MAX_URL_LENGTH + " characters");
        }
        try {
            URI uri = new URI(value.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new InvalidInputException(field, "must be an absolute http or https URL");
            }
            return uri.toString();
        } catch (URISyntaxException e) {
            throw new InvalidInputException(field, "must be an absolute http or https URL");
        }
    }

    private static String reason(JsonNode node, String row) {
        String value = optional(node, "reason", row);
        if (value != null && value.length() > MAX_REASON_LENGTH) {
            throw new InvalidInputException(row + ".reason", "is longer than " + MAX_REASON_LENGTH + " characters");
        }
        return value;
    }

    /** Every normalized type by its wire name (soft_bounced, ...), except OTHER: our callers name what happened. */
    private static Map<String, EngagementType> types() {
        Map<String, EngagementType> types = new LinkedHashMap<>();
        for (EngagementType type : EngagementType.values()) {
            if (type != EngagementType.OTHER) {
                types.put(type.name().toLowerCase(Locale.ROOT), type);
            }
        }
        return types;
    }
}
