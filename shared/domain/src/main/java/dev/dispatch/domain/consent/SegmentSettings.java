package dev.dispatch.domain.consent;

import java.time.Instant;

/**
 * A segment's consent settings ({@code PUT /segments/{segment}}). With {@code doubleOptIn}, anyone added to the
 * segment (API, import, a PUT that adds it) starts pending and gets one confirmation mail, sent as a batch of
 * {@code confirmationCampaign} (a campaign record holding the mail's content, one per settings version).
 *
 * @param consentText what the person agrees to (shown on the confirmation page and kept in each consent record)
 * @param consentVersion the version of that text, e.g. {@code 2026-12} (kept in each consent record)
 */
public record SegmentSettings(String segment, boolean doubleOptIn, int version, String confirmationCampaign,
        String consentText, String consentVersion, Instant updatedAt, String updatedBy) {

    /** A segment nobody configured: single opt-in, no consent text. */
    public static SegmentSettings defaults(String segment) {
        return new SegmentSettings(segment, false, 0, null, null, null, null, null);
    }
}
