package dev.dispatch.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryCertificateSourceTest {

    @Test
    void givenAFolder_thenTheFileNamedAfterTheUrlsLastSegmentIsRead_andNothingElse(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("SimpleNotificationService-abc123.pem"), "PEM");
        Files.writeString(dir.getParent().resolve("outside.pem"), "NO");
        DirectoryCertificateSource source = new DirectoryCertificateSource(dir);
        assertEquals("PEM", source.pem(URI.create("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem")));
        assertThrows(IOException.class, () -> source.pem(URI.create("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-other.pem")));
        assertThrows(IOException.class, () -> source.pem(URI.create("https://sns.us-east-1.amazonaws.com/..%2Foutside.pem")));
        assertThrows(IOException.class, () -> source.pem(URI.create("https://sns.us-east-1.amazonaws.com/")));
    }
}
