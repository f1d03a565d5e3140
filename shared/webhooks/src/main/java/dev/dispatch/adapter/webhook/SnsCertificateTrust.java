package dev.dispatch.adapter.webhook;

import dev.dispatch.domain.engagement.WebhookAuthenticationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * Decides whether a certificate fetched from a {@code SigningCertURL} is SNS's signing certificate, before any
 * signature made with its key is believed. A certificate is accepted only when
 * <ul>
 *   <li>it is within its validity period at the verification time;
 *   <li>its subject CN or a DNS subject alternative name is one SNS signs with in that URL's region
 *       ({@link SnsEndpoints#signingCertificateNames});
 *   <li>its key usage, when present, allows digital signatures;
 *   <li>it chains to a trust anchor by PKIX path validation: in production the JDK's trust store (cacerts, through
 *       the default {@link TrustManagerFactory}) and nothing else.
 * </ul>
 *
 * <p>SNS serves the leaf alone, so the intermediate (today "Amazon RSA 2048 M0x") is fetched from the leaf's
 * Authority Information Access {@code caIssuers} URL, only on Amazon Trust Services' hosts
 * ({@code *.amazontrust.com}) and cached. Plain HTTP is fine there: a fetched intermediate is only a candidate, the
 * path must still validate up to a trusted root. Revocation is not checked (no OCSP/CRL round trips on a webhook).
 */
public final class SnsCertificateTrust {
    /** Fetches a CA certificate from an AIA URL (DER or PEM bytes). */
    @FunctionalInterface
    public interface IssuerFetcher {
        byte[] fetch(URI url) throws IOException;
    }

    private static final String AIA_OID = "1.3.6.1.5.5.7.1.1";
    private static final byte[] CA_ISSUERS_OID = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02}; // 1.3.6.1.5.5.7.48.2
    private static final Pattern AIA_HOST = Pattern.compile("([a-z0-9-]+\\.)*amazontrust\\.com");
    private static final int MAX_ISSUER_HOPS = 2;
    private static final int MAX_CACHED_ISSUERS = 16;
    static final int MAX_ISSUER_BYTES = 64 * 1024;

    private final Set<TrustAnchor> anchors;
    private final IssuerFetcher fetcher;
    private final Map<URI, List<X509Certificate>> issuers = new ConcurrentHashMap<>();

    public SnsCertificateTrust(Set<TrustAnchor> anchors, IssuerFetcher fetcher) {
        if (anchors.isEmpty()) {
            throw new IllegalArgumentException("at least one trust anchor is required");
        }
        this.anchors = Set.copyOf(anchors);
        this.fetcher = fetcher;
    }

    /** Production: the JDK's trust store, intermediates fetched over the network. */
    public static SnsCertificateTrust jdkTrustStore() {
        return new SnsCertificateTrust(jdkAnchors(), httpFetcher(Duration.ofSeconds(5)));
    }

    /**
     * TEST ONLY: this trust with {@code extra} certificates trusted as well (tests sign with locally made
     * certificates). Callers must make sure it can only be reached from a test configuration.
     */
    public SnsCertificateTrust withAdditionalAnchors(Collection<X509Certificate> extra) {
        Set<TrustAnchor> all = new HashSet<>(anchors);
        extra.forEach(c -> all.add(new TrustAnchor(c, null)));
        return new SnsCertificateTrust(all, fetcher);
    }

    /** The CA certificates the JDK's default trust manager trusts (cacerts, or what javax.net.ssl.trustStore names). */
    public static Set<TrustAnchor> jdkAnchors() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            Set<TrustAnchor> anchors = new HashSet<>();
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    for (X509Certificate ca : x509.getAcceptedIssuers()) {
                        anchors.add(new TrustAnchor(ca, null));
                    }
                }
            }
            return anchors;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK trust store can't be read", e);
        }
    }

    /**
     * @param pem what the {@code SigningCertURL} served: the signing certificate first, optionally followed by CA
     *     certificates (hints for the path, never trusted for themselves)
     * @param certificateUrl the checked {@code SigningCertURL}, which names the region
     * @param at the verification time
     * @return the signing certificate
     * @throws WebhookAuthenticationException when it is not SNS's
     * @throws UncheckedIOException when an intermediate could not be fetched (temporary: retry later)
     */
    public X509Certificate signingCertificate(String pem, URI certificateUrl, Instant at) {
        List<X509Certificate> served = parse(pem.getBytes(StandardCharsets.US_ASCII));
        if (served.isEmpty()) {
            throw WebhookAuthenticationException.refused("SigningCertURL does not hold an X.509 certificate");
        }
        X509Certificate leaf = served.get(0);
        try {
            leaf.checkValidity(Date.from(at));
        } catch (CertificateException e) {
            throw WebhookAuthenticationException.refused("SNS signing certificate is not valid now");
        }
        if (!names(leaf).stream().anyMatch(SnsEndpoints.signingCertificateNames(certificateUrl)::contains)) {
            throw WebhookAuthenticationException.refused("the certificate is not SNS's signing certificate (subject)");
        }
        boolean[] usage = leaf.getKeyUsage();
        if (usage != null && (usage.length == 0 || !usage[0])) {
            throw WebhookAuthenticationException.refused("the certificate is not meant for signatures (key usage)");
        }
        requireTrustedPath(leaf, served, at);
        return leaf;
    }

    private void requireTrustedPath(X509Certificate leaf, List<X509Certificate> served, Instant at) {
        List<X509Certificate> candidates = new ArrayList<>(served);
        X509Certificate last = leaf;
        for (int hop = 0; ; hop++) {
            if (buildsPath(leaf, candidates, at)) {
                return;
            }
            URI aia = hop < MAX_ISSUER_HOPS ? caIssuersUrl(last) : null;
            if (aia == null) {
                throw WebhookAuthenticationException.refused("the certificate does not chain to a trusted CA");
            }
            List<X509Certificate> fetched = issuers(aia);
            if (fetched.isEmpty() || candidates.containsAll(fetched)) {
                throw WebhookAuthenticationException.refused("the certificate does not chain to a trusted CA");
            }
            candidates.addAll(fetched);
            last = fetched.get(0);
        }
    }

    private boolean buildsPath(X509Certificate leaf, List<X509Certificate> candidates, Instant at) {
        try {
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(leaf);
            PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, target);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(at));
            parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(candidates)));
            CertPathBuilder.getInstance("PKIX").build(parameters);
            return true;
        } catch (CertPathBuilderException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PKIX path building is unavailable", e);
        }
    }

    private List<X509Certificate> issuers(URI url) {
        List<X509Certificate> cached = issuers.get(url);
        if (cached != null) {
            return cached;
        }
        byte[] bytes;
        try {
            bytes = fetcher.fetch(url);
        } catch (IOException e) {
            throw new UncheckedIOException("the SNS certificate's issuer is unavailable", e);
        }
        List<X509Certificate> fetched = parse(bytes);
        if (issuers.size() >= MAX_CACHED_ISSUERS) {
            issuers.clear();
        }
        issuers.put(url, fetched);
        return fetched;
    }

    private static List<X509Certificate> parse(byte[] bytes) {
        try {
            Collection<? extends Certificate> all =
                    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : all) {
                if (c instanceof X509Certificate x509) {
                    out.add(x509);
                }
            }
            return out;
        } catch (CertificateException e) {
            return List.of();
        }
    }

    /** The subject CN values and DNS subject alternative names, lower-cased. */
    static Set<String> names(X509Certificate certificate) {
        Set<String> names = new HashSet<>();
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253)).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    names.add(String.valueOf(rdn.getValue()).toLowerCase(Locale.ROOT));
                }
            }
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> name : alternatives) {
                    if (name.size() == 2 && Integer.valueOf(2).equals(name.get(0))) { // dNSName
                        names.add(String.valueOf(name.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (InvalidNameException | CertificateException e) {
            return Set.of();
        }
        return names;
    }

    /** The certificate's AIA caIssuers URL on an Amazon Trust Services host, or null. */
    static URI caIssuersUrl(X509Certificate certificate) {
        byte[] extension = certificate.getExtensionValue(AIA_OID);
        if (extension == null) {
            return null;
        }
        try {
            Der octets = Der.read(extension, 0);
            Der sequence = Der.read(octets.value, 0);
            for (int at = 0; at < sequence.value.length; ) {
                Der description = Der.read(sequence.value, at);
                at = description.end;
                Der method = Der.read(description.value, 0);
                Der location = Der.read(description.value, method.end);
                if (method.tag == 0x06 && java.util.Arrays.equals(method.value, CA_ISSUERS_OID) && location.tag == 0x86) {
                    URI uri = URI.create(new String(location.value, StandardCharsets.US_ASCII));
                    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
                    boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
                    if (http && uri.getRawUserInfo() == null && uri.getPort() == -1 && AIA_HOST.matcher(host).matches()) {
                        return uri;
                    }
                }
            }
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            return null; // not a readable AIA extension: no hint, the path simply won't build
        }
        return null;
    }

    /** One DER TLV: enough to walk the AIA extension without a crypto library. */
    private record Der(int tag, byte[] value, int end) {
        static Der read(byte[] bytes, int offset) {
            int tag = bytes[offset] & 0xff;
            int length = bytes[offset + 1] & 0xff;
            int at = offset + 2;
            if (length > 0x7f) {
                int count = length & 0x7f;
                if (count == 0 || count > 3) {
                    throw new IllegalArgumentException("unsupported DER length");
                }
                length = 0;
                for (int i = 0; i < count; i++) {
                    length = (length << 8) | (bytes[at++] & 0xff);
                }
            }
            if (at + length > bytes.length) {
                throw new IllegalArgumentException("truncated DER");
            }
            return new Der(tag, java.util.Arrays.copyOfRange(bytes, at, at + length), at + length);
        }
    }

    /** GETs a CA certificate with the JDK client: no redirects, bounded size and time. */
    static IssuerFetcher httpFetcher(Duration timeout) {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        return url -> {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
            HttpResponse<InputStream> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while fetching a CA certificate", e);
            }
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new IOException("CA certificate fetch answered " + response.statusCode());
                }
                byte[] bytes = body.readNBytes(MAX_ISSUER_BYTES + 1);
                if (bytes.length > MAX_ISSUER_BYTES) {
                    throw new IOException("CA certificate is larger than " + MAX_ISSUER_BYTES + " bytes");
                }
                return bytes;
            }
        };
    }
}
