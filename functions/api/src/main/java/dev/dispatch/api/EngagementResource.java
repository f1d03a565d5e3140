package dev.dispatch.api;

import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementQueue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

@Path("/engagement")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Analytics")
@SecurityRequirement(name = "apiKey")
public class EngagementResource {
    private static final Logger LOG = Logger.getLogger(EngagementResource.class);

    private final EngagementQueue queue;
    private final Clock clock;

    public EngagementResource(EngagementQueue queue, Clock clock) {
        this.queue = queue;
        this.clock = clock;
    }

    @POST
    @Path("/track")
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(description = "A JSON array (or {\"events\": [...]}) of up to " + TrackedEvents.MAX_EVENTS + " events in "
            + "the generic webhook format: id, type, email, timestamp (ISO-8601 with an offset, or unix seconds) required; "
            + "campaignId, variant, url, reason, recipientKey, batchId optional. Types: delivered, opened, clicked, "
            + "bounced (hard), soft_bounced, complained, unsubscribed, deferred, dropped, sent, rejected, rendering_failure.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "click", value =
                    "[{\"id\":\"evt-0001\",\"type\":\"clicked\",\"email\":\"ada@example.com\",\"timestamp\":\"2026-12-01T10:00:00Z\","
                    + "\"campaignId\":\"cmp_42\",\"variant\":\"A\",\"url\":\"https://example.com/offer\"}]")))
    @Operation(summary = "Record engagement events from the platform's own sources", description = "Applied like "
            + "provider webhooks (provider \"track\"): history, score, suppression after a hard bounce, a complaint, an "
            + "unsubscribe or 3 soft bounces in a row, campaign and daily counters. Every row is checked first; one bad "
            + "row refuses the request with its row and field (events[3].email) and nothing is recorded. 202 once "
            + "queued; applied within seconds. An event repeated with the same id and email is applied once.")
    public Response track(byte[] body) {
        if (body != null && body.length > BodySizeFilter.MAX_TRACK_BYTES) {
            throw new WebApplicationException(BodySizeFilter.tooLarge(BodySizeFilter.MAX_TRACK_BYTES));
        }
        List<EngagementEvent> events = TrackedEvents.parse(body, clock.instant());
        try {
            queue.submit(events);
        } catch (IllegalStateException e) {
            // Some messages were refused by SQS after retries; the others may be queued. Sending the same request
            // again is safe: applying dedupes each event by its id and address.
            LOG.errorf("tracked events could not all be queued: %s", e.getMessage());
            return Response.status(503).header("Retry-After", "1").type(MediaType.APPLICATION_JSON)
                    .entity(new ErrorView("the events could not all be queued; send the same request again", null)).build();
        }
        return Response.status(202).entity(Map.of("accepted", events.size())).build();
    }
}
