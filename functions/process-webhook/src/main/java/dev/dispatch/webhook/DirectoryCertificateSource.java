package dev.dispatch.webhook;

import dev.dispatch.adapter.webhook.CertificateSource;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * SNS signing certificates from a folder instead of the network: each PEM file is named after the last path segment
 * of its SigningCertURL ({@code SimpleNotificationService-<id>.pem}). For tests and machines without internet; the
 * URL has already been checked to be an SNS certificate URL, and only a plain file name is ever looked up.
 */
public final class DirectoryCertificateSource implements CertificateSource {
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*\\.pem");
    private static final long MAX_PEM_BYTES = 64 * 1024;

    private final Path directory;

    public DirectoryCertificateSource(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    @Override
    public String pem(URI url) throws IOException {
        String path = url.getPath() == null ? "" : url.getPath();
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (!FILE_NAME.matcher(name).matches()) {
            throw new IOException("no certificate file for this URL");
        }
        Path file = directory.resolve(name);
        if (!file.getParent().equals(directory) || !Files.isRegularFile(file)) {
            throw new IOException("no certificate file " + name + " in the certificate folder");
        }
        if (Files.size(file) > MAX_PEM_BYTES) {
            throw new IOException("certificate file " + name + " is larger than " + MAX_PEM_BYTES + " bytes");
        }
        return Files.readString(file, StandardCharsets.US_ASCII);
    }
}
