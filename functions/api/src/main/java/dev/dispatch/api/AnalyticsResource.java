package dev.dispatch.api;

import dev.dispatch.domain.analytics.DeliveryTrends;
import dev.dispatch.domain.analytics.EngagementViews;
import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.NotFoundException;
import dev.dispatch.domain.engagement.DeliveryStats;
import dev.dispatch.domain.engagement.EngagementStore;
import dev.dispatch.domain.engagement.HistoryPage;
import dev.dispatch.domain.engagement.SubscriberEngagement;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.Subscriber;
import dev.dispatch.domain.subscriber.SubscriberService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/analytics")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Analytics")
@SecurityRequirement(name = "apiKey")
public class AnalyticsResource {
    static final int DEFAULT_HISTORY_LIMIT = 50;
    static final int MAX_HISTORY_LIMIT = 200;

    private final SubscriberService subscribers;
    private final EngagementStore engagement;
    private final DeliveryStats stats;
    private final Clock clock;

    public AnalyticsResource(SubscriberService subscribers, EngagementStore engagement, DeliveryStats stats, Clock clock) {
        this.subscribers = subscribers;
        this.engagement = engagement;
        this.stats = stats;
        this.clock = clock;
    }

    @GET
    @Path("/subscriber/{id}/history")
    @Operation(summary = "A subscriber's engagement and event history", description = "{id} is the address (URL-encoded). "
            + "Engagement: score decayed to now, lifecycle stage (new, active, at-risk, dormant), last open or click, soft "
            + "bounces in a row, opens, clicks. Events newest first; pass nextCursor back as cursor. 404 when the address "
            + "has neither a profile nor any recorded engagement.")
    public Map<String, Object> history(@PathParam("id") String id,
            @Parameter(description = "1 to " + MAX_HISTORY_LIMIT + ", default " + DEFAULT_HISTORY_LIMIT) @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) {
        EmailAddress email = EmailAddress.parse(id, "id");
        int size = limit(limit);
        Instant now = clock.instant();
        Subscriber profile = profile(email);
        SubscriberEngagement state = engagement.engagement(email);
        HistoryPage page = engagement.history(email, cursor == null || cursor.isBlank() ? null : cursor.strip(), size);
        // version 0: no state was ever stored (SubscriberEngagement.none)
        if (profile == null && state.version() == 0 && page.events().isEmpty()) {
            throw new NotFoundException("no subscriber and no engagement recorded for this address");
        }
        return EngagementViews.history(email.value(), profile, state, page, now);
    }

    @GET
    @Path("/trends")
    @Operation(summary = "Daily delivery and engagement trends", description = "Every day from `from` to `to` (UTC, both "
            + "included; default the last 30 days up to today, at most 366 days): sent and errors as the send path "
            + "recorded them, delivered, opened, clicked, bounced (hard), softBounced, complained, unsubscribed as "
            + "providers and tracking reported them, and their rates (deliveryRate = delivered/sent, openRate and "
            + "clickRate = opened and clicked/delivered, bounceRate = (bounced+softBounced)/sent, complaintRate and "
            + "unsubscribeRate /delivered; 0 when the base is 0). Totals over the period and per provider. Events are "
            + "counted on the day they happened, sends on the day they were sent.")
    public Map<String, Object> trends(
            @Parameter(description = "YYYY-MM-DD") @QueryParam("from") String from,
            @Parameter(description = "YYYY-MM-DD") @QueryParam("to") String to,
            @Parameter(description = "Only this provider: ses, sendgrid, postmark, track, ...") @QueryParam("provider") String provider) {
        DeliveryTrends.Period period = DeliveryTrends.period(from, to, LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
        String only = DeliveryTrends.provider(provider);
        return DeliveryTrends.view(period, only, stats.days(period.from(), period.to()));
    }

    private Subscriber profile(EmailAddress email) {
        try {
            return subscribers.get(email);
        } catch (NotFoundException e) {
            return null; // providers report events for addresses without a profile too
        }
    }

    private static int limit(String limit) {
        if (limit == null || limit.isBlank()) {
            return DEFAULT_HISTORY_LIMIT;
        }
        int value;
        try {
            value = Integer.parseInt(limit.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("limit", "must be a whole number from 1 to " + MAX_HISTORY_LIMIT);
        }
        if (value < 1 || value > MAX_HISTORY_LIMIT) {
            throw new InvalidInputException("limit", "must be from 1 to " + MAX_HISTORY_LIMIT);
        }
        return value;
    }
}
