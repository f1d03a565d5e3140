package dev.dispatch.domain.subscriber;

import dev.dispatch.domain.InvalidInputException;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** The shape rules every subscriber field obeys, whichever door (API, import) it came in by. */
public final class SubscriberRules {
    public static final int MAX_NAME_LENGTH = 100;
    public static final int MAX_SEGMENTS = 50;
    public static final int MAX_ATTRIBUTES = 50;
    public static final int MAX_ATTRIBUTE_VALUE_LENGTH = 1000;
    public static final int MAX_SOURCE_LENGTH = 64;

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    private SubscriberRules() {}

    public static String name(String field, String value) {
        if (value == null) {
            return null;
        }
        String trimmed = value.strip();
        if (trimmed.length() > MAX_NAME_LENGTH) {
            throw new InvalidInputException(field, "is longer than " + MAX_NAME_LENGTH + " characters");
        }
        if (trimmed.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException(field, "contains control characters");
        }
        return trimmed.isEmpty() ? null : trimmed;
    }

    public static String timeZone(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return ZoneId.of(value.strip()).getId();
        } catch (DateTimeException e) {
            throw new InvalidInputException("timeZone", "'" + value.strip() + "' is not a known time zone (use an IANA name such as Europe/Paris)");
        }
    }

    public static String source(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String trimmed = value.strip();
        if (trimmed.length() > MAX_SOURCE_LENGTH || !SEGMENT.matcher(trimmed).matches()) {
            throw new InvalidInputException("source", "must be 1-64 letters, digits, '.', '_' or '-'");
        }
        return trimmed;
    }

    public static String segment(String field, String value) {
        if (value == null || !SEGMENT.matcher(value.strip()).matches()) {
            throw new InvalidInputException(field, "'" + value + "' is not a valid segment name (1-64 letters, digits, '.', '_' or '-', starting with a letter or digit)");
        }
        return value.strip();
    }

    public static SortedSet<String> segments(Collection<String> values) {
        if (values == null) {
            return Collections.emptySortedSet();
        }
        if (values.size() > MAX_SEGMENTS) {
            throw new InvalidInputException("segments", "has more than " + MAX_SEGMENTS + " segments");
        }
        SortedSet<String> result = new TreeSet<>();
        for (String value : values) {
            result.add(segment("segments", value));
        }
        return Collections.unmodifiableSortedSet(result);
    }

    /** Custom attributes for personalization: flat, scalar values only (string, number, boolean). */
    public static Map<String, Object> attributes(Map<String, ?> values) {
        if (values == null) {
            return Map.of();
        }
        if (values.size() > MAX_ATTRIBUTES) {
            throw new InvalidInputException("attributes", "has more than " + MAX_ATTRIBUTES + " entries");
        }
        Map<String, Object> result = new LinkedHashMap<>();
        for (Map.Entry<String, ?> entry : values.entrySet()) {
            String key = entry.getKey();
            if (key == null || !ATTRIBUTE_NAME.matcher(key).matches()) {
                throw new InvalidInputException("attributes", "'" + key + "' is not a valid attribute name (letters, digits and '_', not starting with a digit, at most 64)");
            }
            result.put(key, attributeValue("attributes." + key, entry.getValue()));
        }
        return Collections.unmodifiableMap(result);
    }

    private static Object attributeValue(String field, Object value) {
        if (value == null) {
            throw new InvalidInputException(field, "must not be null (leave the attribute out instead)");
        }
        if (value instanceof String s) {
            if (s.length() > MAX_ATTRIBUTE_VALUE_LENGTH) {
                throw new InvalidInputException(field, "is longer than " + MAX_ATTRIBUTE_VALUE_LENGTH + " characters");
            }
            return s;
        }
        if (value instanceof Boolean) {
            return value;
        }
        if (value instanceof BigDecimal d) {
            return d;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof java.math.BigInteger) {
            return new BigDecimal(value.toString());
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new InvalidInputException(field, "must be a finite number");
            }
            return BigDecimal.valueOf(d);
        }
        throw new InvalidInputException(field, "must be a string, a number or a boolean");
    }
}
