package dev.dispatch.domain.campaign;

import dev.dispatch.domain.InvalidInputException;
import java.time.Duration;
import java.util.List;

/**
 * An A/B test that decides: the variants go to a sample of the audience ({@code samplePercent}, split among them by
 * their percentages), then after {@code waitMinutes} (counted from the moment the whole sample was sent) the
 * variant ahead on {@code metric} wins if the two-proportion z-test says so at {@code confidence} and every variant
 * had at least {@code minSamplePerVariant} in the metric's base; the winner goes to everyone else. Without a
 * significant winner the rest gets {@code fallback}: a variant id, or {@link #SPLIT} (keep splitting as in the sample).
 */
public record AbTest(int samplePercent, int waitMinutes, Metric metric, int minSamplePerVariant, double confidence,
        String fallback) {

    public static final String SPLIT = "split";
    public static final int MAX_VARIANTS = 6;
    public static final double DEFAULT_CONFIDENCE = 0.95;
    /**
     * Below this many per variant the normal approximation behind the z-test is not trustworthy (rates of a few
     * percent need hundreds); 30 is the floor a test is allowed to ask for.
     */
    public static final int MIN_SAMPLE_FLOOR = 30;
    static final int MAX_WAIT_MINUTES = 30 * 24 * 60;

    /** What the variants are judged on; each a rate of {@code successes / base} from the variant's counters. */
    public enum Metric {
        /** Unique opens per delivered message. */
        OPEN("open"),
        /** Unique clicks per delivered message. */
        CLICK("click"),
        /** Unique clicks per unique open. */
        CLICK_TO_OPEN("clickToOpen");

        private final String wireName;

        Metric(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Metric fromWire(String value) {
            for (Metric m : values()) {
                if (m.wireName.equals(value)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown metric " + value);
        }
    }

    public Duration waitTime() {
        return Duration.ofMinutes(waitMinutes);
    }

    /** What an A/B test request looks like before validation (numbers may be missing: defaults or errors). */
    public record Input(Integer samplePercent, Integer waitMinutes, String metric, Integer minSamplePerVariant,
            Double confidence, String fallback) {

        /** Validates against the campaign's (already validated) variants; every error names its field. */
        public AbTest validate(List<Variant> variants) {
            if (variants.isEmpty()) {
                throw new InvalidInputException("variants", "an A/B test (abTest) needs at least two variants");
            }
            int sample = range("abTest.samplePercent", samplePercent, 1, 99);
            int wait = range("abTest.waitMinutes", waitMinutes, 1, MAX_WAIT_MINUTES);
            if (metric == null || metric.isBlank()) {
                throw new InvalidInputException("abTest.metric", "is required: open, click or clickToOpen");
            }
            Metric validMetric;
            try {
                validMetric = Metric.fromWire(metric);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("abTest.metric", "'" + metric + "' is not a metric (open, click or clickToOpen)");
            }
            if (minSamplePerVariant == null) {
                throw new InvalidInputException("abTest.minSamplePerVariant", "is required (at least " + MIN_SAMPLE_FLOOR + ")");
            }
            if (minSamplePerVariant < MIN_SAMPLE_FLOOR) {
                throw new InvalidInputException("abTest.minSamplePerVariant", "is " + minSamplePerVariant
                        + ": a sample that small can't decide; at least " + MIN_SAMPLE_FLOOR + " per variant");
            }
            int minSample = range("abTest.minSamplePerVariant", minSamplePerVariant, MIN_SAMPLE_FLOOR, 10_000_000);
            double validConfidence = confidence == null ? DEFAULT_CONFIDENCE : confidence;
            if (!(validConfidence >= 0.5 && validConfidence <= 0.999)) {
                throw new InvalidInputException("abTest.confidence", "must be between 0.5 and 0.999");
            }
            String validFallback = fallback == null || fallback.isBlank() ? variants.get(0).id() : fallback.strip();
            if (!validFallback.equals(SPLIT) && variants.stream().noneMatch(v -> v.id().equals(validFallback))) {
                throw new InvalidInputException("abTest.fallback", "'" + validFallback + "' is neither a variant id nor '"
                        + SPLIT + "'");
            }
            return new AbTest(sample, wait, validMetric, minSample, validConfidence, validFallback);
        }

        private static int range(String field, Integer value, int min, int max) {
            if (value == null) {
                throw new InvalidInputException(field, "is required (" + min + " to " + max + ")");
            }
            if (value < min || value > max) {
                throw new InvalidInputException(field, "is " + value + "; must be between " + min + " and " + max);
            }
            return value;
        }
    }

    /**
     * Whether {@code audience} recipients can give every variant the minimum sample: the sample's expected share of
     * the smallest variant must reach {@code minSamplePerVariant} (delivered or opened can only be fewer).
     */
    public void checkSampleSize(List<Variant> variants, long audience) {
        int smallest = variants.stream().mapToInt(Variant::percent).min().orElse(100);
        long expected = audience * samplePercent / 100 * smallest / 100;
        if (expected < minSamplePerVariant) {
            throw new InvalidInputException("abTest.samplePercent", "the sample is too small to decide: " + samplePercent
                    + " % of " + audience + " recipients gives the smallest variant (" + smallest + " %) about " + expected
                    + ", fewer than minSamplePerVariant " + minSamplePerVariant);
        }
    }
}
