package dev.dispatch.domain.warming;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A provider's feedback over a plan's window: messages the send path sent, and bounces and complaints the providers
 * reported (from the per-provider daily statistics engagement tracking keeps).
 */
public record FeedbackFigures(LocalDate from, LocalDate to, long sent, long bounced, long complained) {

    public double bounceRate() {
        return sent == 0 ? 0 : (double) bounced / sent;
    }

    public double complaintRate() {
        return sent == 0 ? 0 : (double) complained / sent;
    }

    /** The figures as a decision records them. */
    public Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("sent", (double) sent);
        m.put("bounced", (double) bounced);
        m.put("complained", (double) complained);
        m.put("bounceRate", bounceRate());
        m.put("complaintRate", complaintRate());
        m.put("windowDays", (double) (to.toEpochDay() - from.toEpochDay() + 1));
        return m;
    }
}
