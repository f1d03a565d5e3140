package dev.dispatch.domain.subscriber;

import java.util.List;
import java.util.Map;

/**
 * One row of an import file as the parser read it, not yet validated. {@code row} is the number a person sees
 * (CSV: the spreadsheet row, header = 1; JSON: the element's position, first = 1). A row the parser could not
 * even read carries its {@code parseError} (and the field it concerns) instead.
 */
public record ImportRow(
        int row,
        String email,
        String firstName,
        String lastName,
        Map<String, ?> attributes,
        List<String> segments,
        String timeZone,
        String parseErrorField,
        String parseError) {

    public static ImportRow of(int row, String email, String firstName, String lastName, Map<String, ?> attributes,
            List<String> segments, String timeZone) {
        return new ImportRow(row, email, firstName, lastName, attributes, segments, timeZone, null, null);
    }

    public static ImportRow unreadable(int row, String field, String error) {
        return new ImportRow(row, null, null, null, null, null, null, field, error);
    }
}
