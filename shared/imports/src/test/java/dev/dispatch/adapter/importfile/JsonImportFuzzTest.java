package dev.dispatch.adapter.importfile;

import dev.dispatch.domain.ImportFileException;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.dispatch.fuzz.DocumentedErrors;
import org.junit.jupiter.api.Timeout;

/**
 * Any bytes posted as a JSON import: refused as a whole with {@link ImportFileException}, or rows whose validation
 * names the field. Corpus: {@code src/test/resources/dev/dispatch/adapter/importfile/JsonImportFuzzTestInputs/jsonImport/}.
 */
class JsonImportFuzzTest {

    @FuzzTest
    @Timeout(60) // per input, and for the whole fuzzing run: keep FUZZ_SECONDS (.ci/run) below it
    void jsonImport(byte[] body) {
        DocumentedErrors.only(() -> CsvImportFuzzTest.validateRows(JsonImportParser.parse(body, 10_000)));
    }
}
