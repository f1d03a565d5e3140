package dev.dispatch.api;

import dev.dispatch.domain.pacing.SharedPacing;
import dev.dispatch.domain.system.ActiveCampaigns;
import dev.dispatch.domain.system.QueueDepths;
import dev.dispatch.domain.system.SystemStatus;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The whole system at a glance (behind the API key). */
@Path("/system/status")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "System")
@SecurityRequirement(name = "apiKey")
public class SystemStatusResource {
    private final SystemStatus status;

    public SystemStatusResource(SystemStatus status) {
        this.status = status;
    }

    /** The answer. Each provider entry is a map so that health and warming can be added beside {@code pacing}. */
    public record StatusView(String at, List<QueueView> queues, Map<String, Map<String, Object>> providers,
            List<CampaignView> campaignsSending) {}

    public record QueueView(String name, boolean deadLetter, long waiting, long inFlight, long delayed) {}

    public record PacingView(int configuredRatePerSecond, double currentRatePerSecond, long requestedThisSecond,
            long usedToday, long dailyQuota, long leftToday, String lastThrottledAt) {}

    public record CampaignView(String id, String updatedAt, long batchesQueued, boolean allQueued, long batchesDone,
            long sent) {}

    @GET
    @Operation(summary = "The whole system at a glance",
            description = "Queue depths (waiting, in flight, delayed) including the dead-letter queues; per provider: "
                    + "whether it is enabled, its configured rate, its current rate (lowered after throttling "
                    + "answers, growing back by 2 % of the configured rate a second), the permits asked for in the "
                    + "current second, today's usage (UTC day) against the daily quota; and the campaigns sending "
                    + "now (at most 50).")
    public StatusView status() {
        SystemStatus.Report report = status.report();
        Map<String, Map<String, Object>> providers = new LinkedHashMap<>();
        for (SystemStatus.ProviderReport p : report.providers()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("enabled", p.enabled());
            entry.put("pacing", pacing(p.pacing()));
            providers.put(p.name(), entry);
        }
        return new StatusView(report.at().toString(), report.queues().stream().map(SystemStatusResource::queue).toList(),
                providers, report.campaignsSending().stream().map(SystemStatusResource::campaign).toList());
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
