package dev.dispatch.adapter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.engagement.WebhookAuthenticationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Is the certificate behind a SigningCertURL SNS's? Validity, name, key usage and a PKIX path to a trusted CA. */
class SnsCertificateTrustTest {
    private static final URI US_EAST_1 = URI.create(FixtureWriter.CERT_URL);
    private static final Instant NOW = FixtureWriter.SENT_AT;
    private static final URI AIA = URI.create("http://crt.test.amazontrust.com/test-intermediate.cer");

    private final List<URI> fetched = new CopyOnWriteArrayList<>();

    private SnsCertificateTrust trust(SnsCertificateTrust.IssuerFetcher fetcher) {
        return new SnsCertificateTrust(SnsCertificateTrust.jdkAnchors(), url -> {
            fetched.add(url);
            return fetcher.fetch(url);
        }).withAdditionalAnchors(List.of(Fixtures.certificate("sns-test-ca.pem")));
    }

    private SnsCertificateTrust servingIntermediate() {
        return trust(url -> Fixtures.resource("sns-test-intermediate.pem").getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void givenTheTestSigningCertificate_thenItIsAccepted_withoutFetchingAnything() {
        var certificate = servingIntermediate().signingCertificate(Fixtures.resource("sns-test-signing-cert.pem"), US_EAST_1, NOW);
        assertEquals(Set.of("sns.amazonaws.com"), SnsCertificateTrust.names(certificate));
        assertEquals(List.of(), fetched);
    }

    @Test
    void givenALeafWithoutItsIntermediate_thenTheIntermediateIsFetchedFromItsAiaUrlOnce() {
        SnsCertificateTrust trust = servingIntermediate();
        String leaf = Fixtures.resource("sns-test-aia-leaf-cert.pem");
        trust.signingCertificate(leaf, US_EAST_1, NOW);
        trust.signingCertificate(leaf, US_EAST_1, NOW);
        assertEquals(List.of(AIA), fetched, "fetched once, then cached");
    }

    @Test
    void givenTheIntermediateServedWithTheLeaf_thenNothingIsFetched() {
        servingIntermediate().signingCertificate(Fixtures.resource("sns-test-aia-leaf-cert.pem")
                + Fixtures.resource("sns-test-intermediate.pem"), US_EAST_1, NOW);
        assertEquals(List.of(), fetched);
    }

    @Test
    void givenAnAiaUrlServingSomethingElse_thenRefused_andAnUnreachableOneIsTemporary() {
        SnsCertificateTrust wrongIssuer = trust(url -> Fixtures.resource("sns-test-untrusted-cert.pem")
                .getBytes(StandardCharsets.US_ASCII));
        assertThrows(WebhookAuthenticationException.class,
                () -> wrongIssuer.signingCertificate(Fixtures.resource("sns-test-aia-leaf-cert.pem"), US_EAST_1, NOW));
        SnsCertificateTrust offline = trust(url -> {
            throw new IOException("network down");
        });
        assertThrows(UncheckedIOException.class,
                () -> offline.signingCertificate(Fixtures.resource("sns-test-aia-leaf-cert.pem"), US_EAST_1, NOW));
    }

    @Test
    void givenASelfSignedCertificateNamedLikeSns_thenRefused_evenWhenItBringsItsOwnChain() {
        String selfSigned = Fixtures.resource("sns-test-untrusted-cert.pem");
        var e = assertThrows(WebhookAuthenticationException.class,
                () -> servingIntermediate().signingCertificate(selfSigned + selfSigned, US_EAST_1, NOW));
        assertTrue(e.getMessage().contains("trusted CA"), e.getMessage());
    }

    @Test
    void givenATrustedCertificateForAnotherName_thenRefused() {
        var e = assertThrows(WebhookAuthenticationException.class, () -> servingIntermediate()
                .signingCertificate(Fixtures.resource("sns-test-wrong-name-cert.pem"), US_EAST_1, NOW));
        assertTrue(e.getMessage().contains("subject"), e.getMessage());
    }

    @Test
    void givenTheSigningNameOfAnotherPartition_thenRefused() {
        // sns.amazonaws.com signs in the commercial regions, not in China's
        URI china = URI.create("https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem");
        assertThrows(WebhookAuthenticationException.class, () -> servingIntermediate()
                .signingCertificate(Fixtures.resource("sns-test-signing-cert.pem"), china, NOW));
    }

    @Test
    void givenATimeOutsideTheValidityPeriod_thenRefused() {
        assertThrows(WebhookAuthenticationException.class, () -> servingIntermediate().signingCertificate(
                Fixtures.resource("sns-test-signing-cert.pem"), US_EAST_1, Instant.parse("2060-01-01T00:00:00Z")));
    }

    @Test
    void givenTheJdkTrustStoreAlone_thenTheTestCaIsNotTrusted() {
        SnsCertificateTrust production = SnsCertificateTrust.jdkTrustStore();
        assertThrows(WebhookAuthenticationException.class, () -> production.signingCertificate(
                Fixtures.resource("sns-test-signing-cert.pem"), US_EAST_1, NOW));
        assertTrue(SnsCertificateTrust.jdkAnchors().size() > 50, "the JDK's cacerts");
    }

    @Test
    void givenAnAiaUrlOffAmazonTrust_thenItIsNotFollowed() {
        assertEquals(AIA, SnsCertificateTrust.caIssuersUrl(Fixtures.certificate("sns-test-aia-leaf-cert.pem")));
        assertEquals(null, SnsCertificateTrust.caIssuersUrl(Fixtures.certificate("sns-test-signing-cert.pem")));
    }

    @Test
    void givenEachPartition_thenTheSigningNamesSnsUses() {
        assertEquals(Set.of("sns.amazonaws.com", "sns-signing.eu-west-3.amazonaws.com"), SnsEndpoints.signingCertificateNames(
                URI.create("https://sns.eu-west-3.amazonaws.com/SimpleNotificationService-1.pem")));
        assertEquals(Set.of("sns-us-gov-west-1.amazonaws.com", "sns-us-gov-east-1.amazonaws.com"),
                SnsEndpoints.signingCertificateNames(URI.create("https://sns.us-gov-east-1.amazonaws.com/x")));
        assertEquals(Set.of("sns-cn-north-1.amazonaws.com.cn", "sns.amazonaws.com.cn"),
                SnsEndpoints.signingCertificateNames(URI.create("https://sns.cn-north-1.amazonaws.com.cn/x")));
    }
}
