package dev.dispatch.domain.consent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Confirmation mails are sent as batches of a per-segment campaign record, so they take the normal send path
 * (send-batch: the ledger's exactly-once claim, the provider selection, pacing, the suppression check just before
 * sending). Their ids must pass where campaign ids go (the send queue's message accepts {@code cmp_[0-9a-z]{1,40}}),
 * so they are {@code cmp_optin} and 24 hex digits of SHA-256(segment, version): 29 characters after {@code cmp_},
 * where an ordinary campaign's id has 16, so the two never meet.
 */
public final class ConfirmationCampaigns {
    static final String PREFIX = "cmp_optin";
    private static final int LENGTH = PREFIX.length() + 24;

    private ConfirmationCampaigns() {}

    public static String id(String segment, int version) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((segment + "\n" + version).getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static boolean is(String campaignId) {
        return campaignId != null && campaignId.length() == LENGTH && campaignId.startsWith(PREFIX);
    }
}
