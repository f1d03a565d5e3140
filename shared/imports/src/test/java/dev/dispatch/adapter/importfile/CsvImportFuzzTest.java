package dev.dispatch.adapter.importfile;

import dev.dispatch.domain.ImportFileException;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.ImportRow;
import dev.dispatch.domain.subscriber.SubscriberDetails;
import dev.dispatch.fuzz.DocumentedErrors;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Any bytes posted as a CSV import are refused as a whole with {@link ImportFileException}, or read into rows whose
 * validation ({@code SubscriberImport}: address, then details) fails only with the row's field named.
 * Corpus: {@code src/test/resources/dev/dispatch/adapter/importfile/CsvImportFuzzTestInputs/csvImport/}.
 */
class CsvImportFuzzTest {

    @FuzzTest
    @Timeout(60) // per input, and for the whole fuzzing run: keep FUZZ_SECONDS (.ci/run) below it
    void csvImport(byte[] body) {
        DocumentedErrors.only(() -> validateRows(CsvImportParser.parse(body, 10_000)));
    }

    /** What {@code SubscriberImport} does with each row before anything is stored. */
    static void validateRows(List<ImportRow> rows) {
        for (ImportRow row : rows) {
            if (row.parseError() == null) {
                DocumentedErrors.only(() -> {
                    EmailAddress.parse(row.email());
                    SubscriberDetails.of(row.firstName(), row.lastName(), row.attributes(), row.segments(), row.timeZone());
                });
            } else if (row.parseErrorField() == null || row.parseErrorField().isBlank()) {
                throw new AssertionError("row " + row.row() + " is refused without naming a field");
            }
        }
    }
}
