package dev.dispatch.adapter.webhook;

import dev.dispatch.domain.engagement.WebhookAuthenticationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which URLs are SNS's own: the one check behind both the {@code SigningCertURL} the verifier fetches and the
 * {@code SubscribeURL} the subscription confirmer calls.
 *
 * <p>Only SNS's regional endpoints pass: {@code sns.<region>.amazonaws.com} (commercial and GovCloud regions) and
 * {@code sns.cn-<region>.amazonaws.com.cn} (China), where the region has the shape of an AWS region name
 * ({@code us-east-1}, {@code ap-southeast-2}, {@code us-gov-west-1}, {@code cn-northwest-1}). A looser
 * {@code sns.<anything>.amazonaws.com} would let S3 in: {@code sns.s3.amazonaws.com} and
 * {@code sns.s3-us-west-2.amazonaws.com} are the bucket "sns", and whoever owns it could serve a certificate.
 * HTTPS only, no user info, no explicit port, no fragment.
 */
public final class SnsEndpoints {
    private static final Pattern HOST = Pattern.compile(
            "sns\\.(?<region>(?!cn-)[a-z]{2}(?:-gov)?-[a-z]+-\\d{1,2})\\.amazonaws\\.com"
                    + "|sns\\.(?<china>cn-[a-z]+-\\d{1,2})\\.amazonaws\\.com\\.cn");
    private static final Pattern CERT_PATH = Pattern.compile("/SimpleNotificationService-[0-9a-f]+\\.pem");

    private SnsEndpoints() {
    }

    /**
     * @return {@code raw} as a URI if it is HTTPS on an SNS regional host, else a refusal naming {@code field}
     */
    public static URI requireSnsUrl(String raw, String field) {
        URI uri;
        try {
            uri = new URI(raw == null ? "" : raw.strip());
        } catch (URISyntaxException e) {
            throw WebhookAuthenticationException.refused(field + " is not a URL");
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        boolean ok = "https".equalsIgnoreCase(uri.getScheme())
                && uri.getRawUserInfo() == null
                && uri.getPort() == -1
                // the authority is exactly the host: nothing the URI parser might read differently from a client
                && host.equalsIgnoreCase(uri.getRawAuthority() == null ? "" : uri.getRawAuthority())
                && uri.getRawFragment() == null
                && HOST.matcher(host).matches();
        if (!ok) {
            throw WebhookAuthenticationException.refused(field + " is not https on an SNS regional host");
        }
        return uri;
    }

    /** A {@code SigningCertURL}: an SNS URL whose path is SNS's certificate path, with no query. */
    public static URI requireCertificateUrl(String raw) {
        URI uri = requireSnsUrl(raw, "SigningCertURL");
        if (uri.getRawQuery() != null || uri.getRawPath() == null || !CERT_PATH.matcher(uri.getRawPath()).matches()) {
            throw WebhookAuthenticationException.refused("SigningCertURL is not an SNS certificate path");
        }
        return uri;
    }

    /**
     * The names SNS's signing certificate for the region of {@code snsUrl} carries (its subject CN or a DNS subject
     * alternative name), after the mapping in the AWS SDK for Java's SNS message manager ({@code SnsHostProvider}):
     * {@code sns.amazonaws.com} in most regions, {@code sns-signing.<region>.amazonaws.com} in the opt-in regions,
     * {@code sns-us-gov-west-1.amazonaws.com} in GovCloud and {@code sns-<region>.amazonaws.com.cn} in China.
     *
     * @param snsUrl a URL that passed {@link #requireSnsUrl}
     */
    public static Set<String> signingCertificateNames(URI snsUrl) {
        Matcher host = HOST.matcher(snsUrl.getHost().toLowerCase(Locale.ROOT));
        if (!host.matches()) {
            throw new IllegalArgumentException("not an SNS URL");
        }
        if (host.group("china") != null) {
            String region = host.group("china");
            return Set.of("sns-" + region + ".amazonaws.com.cn", "sns.amazonaws.com.cn");
        }
        String region = host.group("region");
        if (region.startsWith("us-gov-")) {
            return Set.of("sns-us-gov-west-1.amazonaws.com", "sns-" + region + ".amazonaws.com");
        }
        return Set.of("sns.amazonaws.com", "sns-signing." + region + ".amazonaws.com");
    }
}
