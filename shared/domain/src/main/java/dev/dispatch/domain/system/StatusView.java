package dev.dispatch.domain.system;

import dev.dispatch.domain.pacing.SharedPacing;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link SystemStatus#report()} shows on the wire: the api's {@code GET /system/status} and the report
 * function's {@code GET /reports/status} (the dashboard's system view) answer this same shape, built here once.
 *
 * @param providers per provider a map, so that health and warming can be added beside {@code pacing}
 */
public record StatusView(String at, List<QueueView> queues, Map<String, Map<String, Object>> providers,
        List<CampaignView> campaignsSending) {

    public record QueueView(String name, boolean deadLetter, long waiting, long inFlight, long delayed) {}

    public record PacingView(int configuredRatePerSecond, double currentRatePerSecond, long requestedThisSecond,
            long usedToday, long dailyQuota, long leftToday, String lastThrottledAt) {}

    public record CampaignView(String id, String updatedAt, long batchesQueued, boolean allQueued, long batchesDone,
            long sent) {}

    public static StatusView of(SystemStatus.Report report) {
        Map<String, Map<String, Object>> providers = new LinkedHashMap<>();
        for (SystemStatus.ProviderReport p : report.providers()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("enabled", p.enabled());
            entry.put("pacing", pacing(p.pacing()));
            providers.put(p.name(), entry);
        }
        return new StatusView(report.at().toString(), report.queues().stream().map(StatusView::queue).toList(),
                providers, report.campaignsSending().stream().map(StatusView::campaign).toList());
    }

    private static QueueView queue(QueueDepths.QueueDepth q) {
        return new QueueView(q.name(), q.deadLetter(), q.waiting(), q.inFlight(), q.delayed());
    }

    private static PacingView pacing(SharedPacing.Snapshot s) {
        return new PacingView(s.configuredRate(), Math.round(s.currentRate() * 100) / 100.0, s.thisSecond(), s.today(),
                s.dailyQuota(), Math.max(0, s.dailyQuota() - s.today()), s.lastCut() == null ? null : s.lastCut().toString());
    }

    private static CampaignView campaign(ActiveCampaigns.ActiveCampaign c) {
        return new CampaignView(c.id(), c.updatedAt() == null ? null : c.updatedAt().toString(), c.batchesQueued(),
                c.allQueued(), c.batchesDone(), c.sent());
    }
}
