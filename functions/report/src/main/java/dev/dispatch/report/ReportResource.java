package dev.dispatch.report;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.NotFoundException;
import dev.dispatch.domain.analytics.CampaignReport;
import dev.dispatch.domain.analytics.DeliveryTrends;
import dev.dispatch.domain.analytics.ProviderComparison;
import dev.dispatch.domain.analytics.ProviderPrices;
import dev.dispatch.domain.analytics.TrendReport;
import dev.dispatch.domain.campaign.Campaign;
import dev.dispatch.domain.campaign.CampaignStore;
import dev.dispatch.domain.engagement.DeliveryStats;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /reports/{report}}: JSON, or CSV of the report's main table with {@code Accept: text/csv}. Every
 * report reads precomputed aggregates only (campaign counters, provider daily statistics, lifecycle moves), a fixed
 * number of reads whatever the audience size - except {@code churn}, which ranks a segment's members and so reads
 * them (see {@link SubscriberReports}). The system and warming views are SystemReportResource's, the dashboard
 * DashboardResource's.
 */
@Path("/")
public class ReportResource {
    /** Every report, for the 404 of an unknown one; status and warming are served by SystemReportResource. */
    static final List<String> REPORTS = List.of("campaign", "providers", "trends", "lifecycle", "churn", "status", "warming");
    static final String CSV = "text/csv";

    private final CampaignStore campaigns;
    private final DeliveryStats stats;
    private final ProviderPrices prices;
    private final Clock clock;
    @Inject
    SubscriberReports subscriberReports;

    public ReportResource(CampaignStore campaigns, DeliveryStats stats, ProviderPrices prices, Clock clock) {
        this.campaigns = campaigns;
        this.stats = stats;
        this.prices = prices;
        this.clock = clock;
    }

    @GET
    @Path("reports/{report}")
    public Response report(@PathParam("report") String report, @HeaderParam(HttpHeaders.ACCEPT) String accept,
            @QueryParam("campaign") String campaign, @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("provider") String provider, @QueryParam("metric") String metric,
            @QueryParam("segment") String segment, @QueryParam("limit") String limit) {
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Map<String, Object> body = switch (report) {
            case "campaign" -> campaign(campaign, now, today);
            case "providers" -> {
                DeliveryTrends.Period period = DeliveryTrends.period(from, to, today);
                yield ProviderComparison.build(period, stats.days(period.from(), period.to()), prices);
            }
            case "trends" -> {
                DeliveryTrends.Period period = DeliveryTrends.period(from, to, today);
                String only = DeliveryTrends.provider(provider);
                yield TrendReport.build(period, only, TrendReport.metric(metric), stats.days(period.from(), period.to()));
            }
            case "lifecycle" -> subscriberReports.lifecycle(from, to, today);
            case "churn" -> subscriberReports.churn(segment, limit, now);
            default -> throw new NotFoundException("no report '" + report + "'; the reports are " + String.join(", ", REPORTS));
        };
        if (accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains(CSV)) {
            return Response.ok(ReportTables.csv(report, body), CSV + "; charset=utf-8")
                    .header("Content-Disposition", "attachment; filename=\"" + report + ".csv\"").build();
        }
        return Response.ok(body, MediaType.APPLICATION_JSON).build();
    }

    /** Reads: the campaign item twice (definition, counters) and one Query of the sender's last 30 days. */
    private Map<String, Object> campaign(String id, Instant now, LocalDate today) {
        if (id == null || id.isBlank()) {
            throw new InvalidInputException("campaign", "is required: ?campaign=<campaign id>");
        }
        if (id.length() > 200) {
            throw new InvalidInputException("campaign", "is not a campaign id (too long)");
        }
        Campaign found = campaigns.find(id.strip())
                .orElseThrow(() -> new NotFoundException("campaign: no campaign with id " + id.strip()));
        Map<String, Long> counters = campaigns.counters(found.id());
        List<DeliveryStats.Day> norm = stats.days(today.minusDays(CampaignReport.NORM_DAYS - 1), today);
        return CampaignReport.build(found, counters, norm, now);
    }
}
