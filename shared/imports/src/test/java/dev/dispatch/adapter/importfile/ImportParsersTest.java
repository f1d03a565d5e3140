package dev.dispatch.adapter.importfile;

import dev.dispatch.domain.ImportFileException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.subscriber.ImportRow;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImportParsersTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void givenCsvWithBomQuotingAndExtraColumns_whenParsed_thenFieldsAndRowNumbersAreRight() {
        List<ImportRow> rows = CsvImportParser.parse(utf8("\uFEFFEmail,First Name,last_name,Segments,Time Zone,company\r\n"
                + "ada@example.com,Ada,\"Love, \"\"the first\"\" lace\",news;vip,Europe/London,\"Analytical\nEngines\"\r\n"
                + "\r\n"
                + "bob@example.com,Bob,,,,\r\n"), 100);
        assertEquals(2, rows.size());
        ImportRow ada = rows.get(0);
        assertEquals(2, ada.row());
        assertEquals("Love, \"the first\" lace", ada.lastName());
        assertEquals(List.of("news", "vip"), ada.segments());
        assertEquals("Europe/London", ada.timeZone());
        assertEquals(Map.of("company", "Analytical\nEngines"), ada.attributes());
        assertEquals(3, rows.get(1).row());
        assertEquals(Map.of(), rows.get(1).attributes());
        assertEquals(List.of(), rows.get(1).segments());
    }

    @Test
    void givenCsvRowWithWrongFieldCount_thenOnlyThatRowIsUnreadable() {
        List<ImportRow> rows = CsvImportParser.parse(utf8("email,firstName\na@example.com,A\nb@example.com,B,extra\n"), 100);
        assertNull(rows.get(0).parseError());
        assertEquals("has 3 fields but the header has 2", rows.get(1).parseError());
        assertEquals(3, rows.get(1).row());
    }

    @Test
    void givenBrokenCsv_thenTheWholeFileIsRefusedWithAReason() {
        assertTrue(assertThrows(ImportFileException.class, () -> CsvImportParser.parse(utf8("email\n\"unterminated@example.com\n"), 100))
                .getMessage().startsWith("the CSV can't be read"));
        assertTrue(assertThrows(ImportFileException.class, () -> CsvImportParser.parse(utf8("name,city\nAda,London\n"), 100))
                .getMessage().contains("no email column"));
        assertTrue(assertThrows(ImportFileException.class, () -> CsvImportParser.parse(new byte[] {'e', 'm', (byte) 0xC3, 0x28}, 100))
                .getMessage().contains("UTF-8"));
        assertTrue(assertThrows(ImportFileException.class, () -> CsvImportParser.parse(utf8("email\na@x.com\nb@x.com\n"), 1))
                .getMessage().contains("more than 1 rows"));
    }

    @Test
    void givenJson_whenAnElementIsWrong_thenOnlyThatElementIsUnreadable() {
        List<ImportRow> rows = JsonImportParser.parse(utf8("{\"subscribers\":[{\"email\":\"a@example.com\",\"attributes\":{\"n\":2.5,\"ok\":true}},"
                + "{\"email\":\"b@example.com\",\"segments\":\"news\"},{\"email\":\"c@example.com\",\"status\":\"active\"},42]}"), 100);
        assertEquals(4, rows.size());
        assertEquals(Map.of("n", new java.math.BigDecimal("2.5"), "ok", true), rows.get(0).attributes());
        assertEquals("segments", rows.get(1).parseErrorField());
        assertEquals("status", rows.get(2).parseErrorField());
        assertEquals("must be a JSON object, not a number", rows.get(3).parseError());
        assertEquals(4, rows.get(3).row());
    }

    @Test
    void givenJson_whenAnAttributeOverflowsADouble_thenThatRowNamesTheAttribute() {
        // Found by JsonImportFuzzTest (corpus seed-numbers.json): 1e400 used to escape as a NumberFormatException (500).
        List<ImportRow> rows = JsonImportParser.parse(utf8("[{\"email\":\"a@example.com\",\"attributes\":{\"big\":1e400}},"
                + "{\"email\":\"b@example.com\",\"attributes\":{\"small\":-1e-400,\"long\":123456789012345678901234567890}}]"), 100);
        assertEquals("attributes.big", rows.get(0).parseErrorField());
        assertEquals("must be a finite number", rows.get(0).parseError());
        assertEquals(null, rows.get(1).parseError());
    }

    @Test
    void givenJson_whenAFieldNameIsEmpty_thenTheRowSaysSoInsteadOfNamingAnEmptyField() {
        // Found by JsonImportFuzzTest (corpus crash-empty-field-name.json): the rejection named the field "".
        List<ImportRow> rows = JsonImportParser.parse(utf8("[{\"email\":\"a@example.com\",\"\":\"x\"}]"), 100);
        assertEquals("row", rows.get(0).parseErrorField());
        assertTrue(rows.get(0).parseError().startsWith("has a field with an empty name"), rows.get(0).parseError());
    }

    @Test
    void givenMalformedJson_thenRefusedWithLineAndColumn() {
        String message = assertThrows(ImportFileException.class, () -> JsonImportParser.parse(utf8("[\n{\"email\": }]"), 100)).getMessage();
        assertTrue(message.startsWith("malformed JSON at line 2, column"), message);
    }
}
