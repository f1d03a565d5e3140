package dev.dispatch.domain.consent;

/**
 * Confirmation mails are sent as batches of a per-segment campaign record, so they take the normal send path
 * (send-batch: the ledger's exactly-once claim, the provider selection, pacing, the suppression check just before
 * sending). Those campaigns are recognised by their id; ordinary campaign ids start with {@code cmp_}.
 */
public final class ConfirmationCampaigns {
    public static final String PREFIX = "optin_";

    private ConfirmationCampaigns() {}

    public static String id(String segment, int version) {
        return PREFIX + segment + "_v" + version;
    }

    public static boolean is(String campaignId) {
        return campaignId != null && campaignId.startsWith(PREFIX);
    }
}
