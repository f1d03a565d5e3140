package dev.dispatch.domain.campaign;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Which variant a recipient gets: a stable hash of (campaign, address) into 0..9999, cut by the variants'
 * percentages. The same recipient always lands in the same variant, so a retry never switches it.
 */
public final class VariantAssignment {
    private VariantAssignment() {}

    public static String variantFor(String campaignId, String email, List<Variant> variants) {
        if (variants.isEmpty()) {
            return null;
        }
        int bucket = bucket(campaignId, email);
        int upper = 0;
        for (Variant variant : variants) {
            upper += variant.percent() * 100;
            if (bucket < upper) {
                return variant.id();
            }
        }
        return variants.get(variants.size() - 1).id();
    }

    /**
     * Whether a recipient is in an A/B test's sample: a second stable hash (salted apart from the variant's, so the
     * sample is not made of the first variant's buckets) below {@code samplePercent}. The same address is always in
     * or out, so the remainder walk skips exactly the sample, however often either walk runs.
     */
    public static boolean inSample(String campaignId, String email, int samplePercent) {
        return bucket("sample\n" + campaignId, email) < samplePercent * 100;
    }

    static int bucket(String campaignId, String email) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((campaignId + "\n" + email).getBytes(StandardCharsets.UTF_8));
            long value = ((digest[0] & 0xFFL) << 24) | ((digest[1] & 0xFFL) << 16) | ((digest[2] & 0xFFL) << 8) | (digest[3] & 0xFFL);
            return (int) (value % 10_000);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
