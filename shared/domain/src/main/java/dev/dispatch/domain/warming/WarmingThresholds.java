package dev.dispatch.domain.warming;

/**
 * When warming-tick pauses a plan or slows it down, as shares of the messages sent in the plan's window
 * (0.05 = 5 %). The defaults are the levels at which SES puts an account under review.
 *
 * @param pauseBounceRate pause at or above this bounce rate
 * @param pauseComplaintRate pause at or above this complaint rate
 * @param warningBounceRate hold or step back at or above this bounce rate (below the pause level)
 * @param warningComplaintRate hold or step back at or above this complaint rate (below the pause level)
 * @param minimumSample fewer messages sent in the window than this are too few to judge: rates are not acted on
 */
public record WarmingThresholds(double pauseBounceRate, double pauseComplaintRate, double warningBounceRate,
        double warningComplaintRate, long minimumSample) {
    public static final WarmingThresholds DEFAULT = new WarmingThresholds(0.05, 0.001, 0.03, 0.0005, 50);
}
