package dev.dispatch.adapter.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Fetches a signing certificate over HTTPS with the JDK client (TLS server authentication by the JDK's trust
 * store). Redirects are not followed, so the host that was checked is the host that answers. What is fetched is
 * still only a candidate: {@link SnsCertificateTrust} decides whether it is SNS's. Build once per container.
 */
public class HttpsCertificateSource implements CertificateSource {
    static final int MAX_PEM_BYTES = 64 * 1024;

    private final HttpClient http;
    private final Duration timeout;

    public HttpsCertificateSource(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public HttpsCertificateSource() {
        this(Duration.ofSeconds(5));
    }

    @Override
    public String pem(URI url) throws IOException {
        if (!"https".equals(url.getScheme())) {
            throw new IOException("certificates are fetched over https only");
        }
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching the signing certificate", e);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("signing certificate fetch answered " + response.statusCode());
            }
            byte[] bytes = body.readNBytes(MAX_PEM_BYTES + 1);
            if (bytes.length > MAX_PEM_BYTES) {
                throw new IOException("signing certificate is larger than " + MAX_PEM_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.US_ASCII);
        }
    }
}
