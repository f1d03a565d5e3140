package dev.dispatch.domain.analytics;

import dev.dispatch.domain.engagement.SubscriberEngagement;
import dev.dispatch.domain.subscriber.EmailAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The churn report of a segment: every member offered page by page, the {@code limit} with the highest risk kept
 * (a bounded heap, so memory doesn't grow with the segment), each with the features behind its risk.
 */
public final class ChurnReport {
    /** The members one report reads at most: the report pages through them, so its cost grows with the segment. */
    public static final int MAX_MEMBERS = 10_000;
    public static final int MAX_LIMIT = 500;
    public static final int DEFAULT_LIMIT = 20;

    private record Scored(EmailAddress email, double risk, double[] features, SubscriberEngagement state, Instant joinedAt) {
    }

    private static final Comparator<Scored> LEAST_AT_RISK_FIRST = Comparator.comparingDouble(Scored::risk)
            .thenComparing(s -> s.email().key(), Comparator.reverseOrder());

    private final String segment;
    private final int limit;
    private final ChurnModel model;
    private final Instant now;
    private final PriorityQueue<Scored> top = new PriorityQueue<>(LEAST_AT_RISK_FIRST);
    private long scored;
    private long suppressed;
    private long neverSeen;
    private double riskSum;

    public ChurnReport(String segment, int limit, ChurnModel model, Instant now) {
        this.segment = segment;
        this.limit = limit;
        this.model = model;
        this.now = now;
    }

    /** A suppressed member is counted, not scored: it already left. */
    public void suppressed() {
        suppressed++;
    }

    /** @param state the member's engagement, or null when no event was ever recorded for it */
    public void offer(EmailAddress email, Instant joinedAt, SubscriberEngagement state) {
        SubscriberEngagement engagement = state != null ? state : SubscriberEngagement.none(email);
        if (state == null) {
            neverSeen++;
        }
        double[] x = ChurnModel.features(engagement, joinedAt, now);
        double risk = model.risk(x);
        scored++;
        riskSum += risk;
        top.add(new Scored(email, risk, x, engagement, joinedAt));
        if (top.size() > limit) {
            top.poll();
        }
    }

    public Map<String, Object> build(boolean complete) {
        List<Scored> ranked = new ArrayList<>(top);
        ranked.sort(LEAST_AT_RISK_FIRST.reversed());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Scored s : ranked) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("email", s.email().value());
            row.put("risk", round(s.risk()));
            Map<String, Object> features = new LinkedHashMap<>();
            for (int i = 0; i < ChurnModel.FEATURES.size(); i++) {
                features.put(ChurnModel.FEATURES.get(i), round(s.features()[i]));
            }
            row.put("features", features);
            row.put("stage", s.state().stage(s.joinedAt(), now).wireName());
            row.put("lastActivityAt", s.state().lastActivityAt() == null ? null : s.state().lastActivityAt().toString());
            row.put("opens", s.state().opens());
            row.put("clicks", s.state().clicks());
            rows.add(row);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("report", "churn");
        body.put("segment", segment);
        body.put("limit", limit);
        body.put("asOf", now.toString());
        body.put("scored", scored);
        body.put("neverSeen", neverSeen);
        body.put("suppressed", suppressed);
        body.put("complete", complete);
        body.put("meanRisk", scored == 0 ? null : round(riskSum / scored));
        body.put("model", model.describe());
        body.put("atRisk", rows);
        return body;
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }
}
