package dev.dispatch.adapter.importfile;

import dev.dispatch.domain.ImportFileException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

final class ImportFiles {
    private ImportFiles() {}

    /** Strict UTF-8 (a wrong encoding would silently corrupt names), without a leading byte order mark. */
    static String utf8(byte[] body) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw new ImportFileException("the file is not valid UTF-8; save it as UTF-8 (with or without BOM) and retry");
        }
    }
}
