package dev.dispatch.domain.system;

import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.config.ProviderSettings;
import dev.dispatch.domain.pacing.SharedPacing;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * The whole system at a glance: queue depths with dead letters, each provider's pacing (configured and current
 * rate, this second's and today's usage against the quota) and the campaigns sending now. Read-only; a handful of
 * storage calls (one per queue, three per provider, one Scan page of campaigns).
 */
public class SystemStatus {
    /** Campaigns listed at most. */
    public static final int CAMPAIGNS_SHOWN = 50;

    private final QueueDepths queues;
    private final SharedPacing pacing;
    private final ProviderCatalog catalog;
    private final ActiveCampaigns campaigns;
    private final Clock clock;

    public SystemStatus(QueueDepths queues, SharedPacing pacing, ProviderCatalog catalog, ActiveCampaigns campaigns,
            Clock clock) {
        this.queues = queues;
        this.pacing = pacing;
        this.catalog = catalog;
        this.campaigns = campaigns;
        this.clock = clock;
    }

    /**
     * @param providers per configured provider, in the catalog's order
     */
    public record Report(Instant at, List<QueueDepths.QueueDepth> queues, List<ProviderReport> providers,
            List<ActiveCampaigns.ActiveCampaign> campaignsSending) {}

    /** One provider: its settings and its pacing now. (Health and warming are added by their own parts.) */
    public record ProviderReport(String name, boolean enabled, SharedPacing.Snapshot pacing) {}

    public Report report() {
        List<ProviderReport> providers = catalog.all().stream()
                .sorted(java.util.Comparator.comparing(ProviderSettings::name))
                .map(p -> new ProviderReport(p.name(), p.enabled(), pacing.snapshot(p.name())))
                .toList();
        return new Report(clock.instant(), queues.all(), providers, campaigns.sendingNow(CAMPAIGNS_SHOWN));
    }
}
