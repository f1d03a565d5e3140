package dev.dispatch.adapter.render;

import dev.dispatch.domain.subscriber.Subscriber;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The variables a message template sees for one subscriber, as plain maps (no reflection at render time).
 *
 * <p>Names, from lowest to highest precedence: every custom attribute at top level ({@code {{plan}}}); the
 * subscriber's {@code email}, {@code firstName}, {@code lastName}, {@code timeZone}, {@code segments} (a list)
 * and {@code attributes} (a map: {@code {{attributes.plan}}}); then the extras given by the caller (such as
 * {@code unsubscribeUrl}, {@code campaignName}). An attribute named like a built-in never hides the built-in;
 * it stays reachable as {@code attributes.<name>}. Absent values are left out, so they render as nothing.
 */
public final class PersonalizationContext {
    private static final int MAX_DEPTH = 8;

    private PersonalizationContext() {}

    public static Map<String, Object> of(Subscriber subscriber, Map<String, Object> extra) {
        Map<String, Object> context = new LinkedHashMap<>();
        Map<String, Object> attributes = plainMap(subscriber.attributes(), 0);
        context.putAll(attributes);
        context.put("email", subscriber.email().value());
        putIfPresent(context, "firstName", subscriber.firstName());
        putIfPresent(context, "lastName", subscriber.lastName());
        putIfPresent(context, "timeZone", subscriber.timeZone());
        context.put("segments", List.copyOf(subscriber.segments()));
        context.put("attributes", attributes);
        if (extra != null) {
            for (Map.Entry<String, Object> entry : extra.entrySet()) {
                if (entry.getKey() != null && entry.getValue() != null) {
                    context.put(entry.getKey(), plain(entry.getValue(), 0));
                }
            }
        }
        return Collections.unmodifiableMap(context);
    }

    private static void putIfPresent(Map<String, Object> context, String key, String value) {
        if (value != null) {
            context.put(key, value);
        }
    }

    /**
     * Strings, booleans and numbers stay; maps and collections are copied as plain maps and lists; anything else
     * becomes its string form, so templates never introspect arbitrary objects.
     */
    static Object plain(Object value, int depth) {
        if (value == null || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger) {
            return value;
        }
        if (value instanceof BigDecimal || value instanceof Double || value instanceof Float) {
            return value;
        }
        if (depth >= MAX_DEPTH) {
            return String.valueOf(value);
        }
        if (value instanceof Map<?, ?> map) {
            return plainMap(map, depth + 1);
        }
        if (value instanceof Collection<?> collection) {
            List<Object> list = new ArrayList<>(collection.size());
            for (Object item : collection) {
                list.add(plain(item, depth + 1));
            }
            return Collections.unmodifiableList(list);
        }
        return String.valueOf(value);
    }

    private static Map<String, Object> plainMap(Map<?, ?> map, int depth) {
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (entry.getKey() != null && entry.getValue() != null) {
                copy.put(String.valueOf(entry.getKey()), plain(entry.getValue(), depth));
            }
        }
        return Collections.unmodifiableMap(copy);
    }
}
