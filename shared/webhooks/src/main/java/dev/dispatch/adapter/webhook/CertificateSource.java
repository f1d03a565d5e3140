package dev.dispatch.adapter.webhook;

import java.io.IOException;
import java.net.URI;

/**
 * Where SNS signing certificates come from: the PEM at a {@code SigningCertURL} that {@link SesSnsWebhook} has
 * already checked to be HTTPS on an SNS regional host ({@link SnsEndpoints}); whether the certificate is SNS's is
 * decided afterwards by {@link SnsCertificateTrust}, wherever it came from. Production uses {@link HttpsCertificateSource} behind
 * {@link CachingCertificateSource}; tests and machines without internet supply the PEM themselves.
 */
@FunctionalInterface
public interface CertificateSource {

    /**
     * @return the PEM text of the certificate at {@code url}
     * @throws IOException when it can't be obtained now (the request should be retried later, not refused)
     */
    String pem(URI url) throws IOException;
}
