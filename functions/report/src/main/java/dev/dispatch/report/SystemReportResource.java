package dev.dispatch.report;

import dev.dispatch.domain.system.StatusView;
import dev.dispatch.domain.system.SystemStatus;
import dev.dispatch.domain.warming.WarmingConfig;
import dev.dispatch.domain.warming.WarmingStore;
import dev.dispatch.domain.warming.WarmingView;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;

/**
 * The dashboard's system and warming views as reports, behind the key like every report: the very views the api
 * answers at {@code /system/status} and {@code /system/warming} (StatusView, WarmingView over SystemStatus and the
 * warming store), read-only. Cost: one GetQueueAttributes per queue, a few GetItems per provider and per plan, a
 * Scan of the campaigns table (at most 5 pages) for those sending; no subscriber is read.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class SystemReportResource {
    private final SystemStatus status;
    private final WarmingConfig warming;
    private final WarmingStore warmingStore;
    private final Clock clock;

    public SystemReportResource(SystemStatus status, WarmingConfig warming, WarmingStore warmingStore, Clock clock) {
        this.status = status;
        this.warming = warming;
        this.warmingStore = warmingStore;
        this.clock = clock;
    }

    @GET
    @Path("reports/status")
    public StatusView status() {
        return StatusView.of(status.report());
    }

    @GET
    @Path("reports/warming")
    public WarmingView.Plans warming() {
        return WarmingView.plans(warming, warmingStore, clock.instant());
    }
}
