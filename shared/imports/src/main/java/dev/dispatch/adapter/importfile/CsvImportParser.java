package dev.dispatch.adapter.importfile;

import dev.dispatch.domain.ImportFileException;
import dev.dispatch.domain.subscriber.ImportRow;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * CSV with a header row, RFC 4180 quoting, UTF-8 with or without BOM. Known columns (matched without regard to
 * case, spaces, '_' or '-'): email, first name, last name, segments (separated by ';' or '|'), time zone. Every
 * other column becomes a custom attribute named by its header. Row numbers are the ones a spreadsheet shows
 * (the header is row 1).
 */
public final class CsvImportParser {
    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .setIgnoreEmptyLines(true)
            .setAllowMissingColumnNames(false)
            .get();
    private static final Pattern SEGMENT_SEPARATOR = Pattern.compile("[;|]");
    private static final Map<String, String> KNOWN = Map.of(
            "email", "email", "emailaddress", "email",
            "firstname", "firstName", "lastname", "lastName",
            "segments", "segments", "segment", "segments",
            "timezone", "timeZone", "tz", "timeZone");

    private CsvImportParser() {}

    public static List<ImportRow> parse(byte[] body, int maxRows) {
        String text = ImportFiles.utf8(body);
        try (CSVParser parser = CSVParser.parse(new StringReader(text), FORMAT)) {
            List<String> header = parser.getHeaderNames();
            Map<String, String> columnRoles = roles(header);
            List<ImportRow> rows = new ArrayList<>();
            for (CSVRecord record : parser) {
                if (rows.size() == maxRows) {
                    throw new ImportFileException("the file has more than " + maxRows + " rows; split it into several imports");
                }
                rows.add(row(record, header, columnRoles));
            }
            return rows;
        } catch (IOException | UncheckedIOException | IllegalStateException | IllegalArgumentException e) {
            throw new ImportFileException("the CSV can't be read: " + rootMessage(e));
        }
    }

    private static Map<String, String> roles(List<String> header) {
        if (header.isEmpty()) {
            throw new ImportFileException("the CSV has no header row; the first row must name the columns, one of them 'email'");
        }
        Map<String, String> roles = new LinkedHashMap<>();
        Map<String, String> seen = new HashMap<>();
        for (String column : header) {
            String normalized = column.toLowerCase(Locale.ROOT).replaceAll("[\\s_-]", "");
            String role = KNOWN.getOrDefault(normalized, "attribute");
            if (!role.equals("attribute")) {
                String previous = seen.putIfAbsent(role, column);
                if (previous != null) {
                    throw new ImportFileException("the header has two columns for " + role + ": '" + previous + "' and '" + column + "'");
                }
            }
            roles.put(column, role);
        }
        if (!seen.containsKey("email")) {
            throw new ImportFileException("the header has no email column (found: " + String.join(", ", header) + ")");
        }
        return roles;
    }

    private static ImportRow row(CSVRecord record, List<String> header, Map<String, String> roles) {
        int row = (int) record.getRecordNumber() + 1;
        if (record.size() != header.size()) {
            return ImportRow.unreadable(row, "row", "has " + record.size() + " fields but the header has " + header.size());
        }
        String email = null;
        String firstName = null;
        String lastName = null;
        String timeZone = null;
        List<String> segments = null;
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (int i = 0; i < header.size(); i++) {
            String column = header.get(i);
            String value = record.get(i);
            switch (roles.get(column)) {
                case "email" -> email = value;
                case "firstName" -> firstName = value;
                case "lastName" -> lastName = value;
                case "timeZone" -> timeZone = value;
                case "segments" -> segments = Arrays.stream(SEGMENT_SEPARATOR.split(value))
                        .map(String::strip).filter(s -> !s.isEmpty()).toList();
                default -> {
                    if (!value.isEmpty()) {
                        attributes.put(column, value);
                    }
                }
            }
        }
        return ImportRow.of(row, email, firstName, lastName, attributes, segments, timeZone);
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }
}
