package dev.dispatch.domain;

/** The file as a whole can't be read (bad encoding, broken CSV quoting, malformed JSON, bad header): nothing is imported. */
public class ImportFileException extends RuntimeException {
    public ImportFileException(String message) {
        super(message);
    }
}
