package dev.dispatch.adapter.importfile;

import dev.dispatch.domain.ImportFileException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.dispatch.domain.subscriber.ImportRow;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSON import: an array of subscriber objects, or {@code {"subscribers": [...]}}. Each object has the fields of
 * {@code POST /subscribers}. An element with an unknown field or a wrong type is rejected on its own (by its
 * position, first = 1); the others are imported.
 */
public final class JsonImportParser {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("email", "firstName", "lastName", "attributes", "segments", "timeZone");

    private JsonImportParser() {}

    public static List<ImportRow> parse(byte[] body, int maxRows) {
        JsonNode root;
        try {
            root = MAPPER.readTree(ImportFiles.utf8(body));
        } catch (JsonParseException e) {
            throw new ImportFileException("malformed JSON at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new ImportFileException("malformed JSON: " + e.getOriginalMessage());
        }
        JsonNode array = root != null && root.isObject() && root.size() == 1 && root.has("subscribers") ? root.get("subscribers") : root;
        if (array == null || !array.isArray()) {
            throw new ImportFileException("expected a JSON array of subscribers or {\"subscribers\": [...]}");
        }
        if (array.size() > maxRows) {
            throw new ImportFileException("the file has more than " + maxRows + " rows; split it into several imports");
        }
        List<ImportRow> rows = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            rows.add(row(i + 1, array.get(i)));
        }
        return rows;
    }

    private static ImportRow row(int row, JsonNode node) {
        if (!node.isObject()) {
            return ImportRow.unreadable(row, "row", "must be a JSON object, not " + describe(node));
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                String known = "(known: " + String.join(", ", new java.util.TreeSet<>(FIELDS)) + ")";
                // An empty name can't serve as the field of the error (found by JsonImportFuzzTest).
                return name.isBlank()
                        ? ImportRow.unreadable(row, "row", "has a field with an empty name, which is not a known field " + known)
                        : ImportRow.unreadable(row, name, "is not a known field " + known);
            }
        }
        try {
            return ImportRow.of(row, text(node, "email"), text(node, "firstName"), text(node, "lastName"),
                    attributes(node.get("attributes")), segments(node.get("segments")), text(node, "timeZone"));
        } catch (WrongType e) {
            return ImportRow.unreadable(row, e.field, e.getMessage());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new WrongType(field, "must be a string, not " + describe(value));
        }
        return value.asText();
    }

    private static List<String> segments(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw new WrongType("segments", "must be an array of strings, not " + describe(value));
        }
        List<String> segments = new ArrayList<>();
        for (JsonNode element : value) {
            if (!element.isTextual()) {
                throw new WrongType("segments", "must be an array of strings; found " + describe(element));
            }
            segments.add(element.asText());
        }
        return segments;
    }

    private static Map<String, Object> attributes(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw new WrongType("attributes", "must be an object, not " + describe(value));
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        value.fields().forEachRemaining(entry -> attributes.put(entry.getKey(), scalar(entry.getKey(), entry.getValue())));
        return attributes;
    }

    private static Object scalar(String name, JsonNode value) {
        return switch (value.getNodeType()) {
            case STRING -> value.asText();
            case BOOLEAN -> value.asBoolean();
            case NUMBER -> {
                // 1e400 reads as an infinite double, which has no decimal form (found by JsonImportFuzzTest).
                if (value.isFloatingPointNumber() && !Double.isFinite(value.doubleValue())) {
                    throw new WrongType("attributes." + name, "must be a finite number");
                }
                yield new BigDecimal(value.asText());
            }
            case NULL -> null;
            default -> throw new WrongType("attributes." + name, "must be a string, a number or a boolean, not " + describe(value));
        };
    }

    private static String describe(JsonNode node) {
        JsonNodeType type = node.getNodeType();
        return switch (type) {
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "a string";
        };
    }

    private static final class WrongType extends RuntimeException {
        final String field;

        WrongType(String field, String message) {
            super(message);
            this.field = field;
        }
    }
}
