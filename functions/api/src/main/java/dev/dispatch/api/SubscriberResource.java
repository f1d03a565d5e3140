package dev.dispatch.api;

import dev.dispatch.adapter.importfile.CsvImportParser;
import dev.dispatch.adapter.importfile.JsonImportParser;
import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.consent.OptInPolicy;
import dev.dispatch.domain.engagement.EngagementStore;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.ImportReport;
import dev.dispatch.domain.subscriber.ImportRow;
import dev.dispatch.domain.subscriber.SegmentPage;
import dev.dispatch.domain.subscriber.SubscriberImport;
import dev.dispatch.domain.subscriber.SubscriberService;
import dev.dispatch.domain.subscriber.SubscriberStats;
import dev.dispatch.domain.subscriber.SubscriberStatus;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/subscribers")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Subscribers")
@SecurityRequirement(name = "apiKey")
public class SubscriberResource {
    private final SubscriberService subscribers;
    private final SubscriberImport importer;
    private final ApiConfig config;
    private final EngagementStore engagement;
    private final Clock clock;

    public SubscriberResource(SubscriberService subscribers, SubscriberImport importer, ApiConfig config,
            EngagementStore engagement, Clock clock) {
        this.subscribers = subscribers;
        this.importer = importer;
        this.config = config;
        this.engagement = engagement;
        this.clock = clock;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add a subscriber", description = "409 if the address exists (whatever its status).")
    public Response add(SubscriberInput input, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        SubscriberInput body = required(input);
        EmailAddress email = EmailAddress.parse(body.email());
        var created = subscribers.add(email, body.details(), dev.dispatch.domain.subscriber.SubscriberRules.source(body.source()),
                OptInPolicy.Origin.of("api", ApiKeyFilter.keyId(authorization)));
        return Response.status(201).entity(SubscriberView.of(created)).build();
    }

    @GET
    @Path("/{email}")
    @Operation(summary = "Read a subscriber", description = "With its engagement from recorded events: score (decayed "
            + "to now), lifecycle stage (new, active, at-risk, dormant) and last open or click.")
    public SubscriberView get(@PathParam("email") String email) {
        EmailAddress address = EmailAddress.parse(email);
        var subscriber = subscribers.get(address);
        return SubscriberView.withConsent(SubscriberView.of(subscriber, engagement.engagement(address), clock.instant()),
                subscriber, clock.instant());
    }

    @PUT
    @Path("/{email}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Update a subscriber", description = "Fields given replace the stored ones; fields left out stay. "
            + "The status can't be set here: DELETE unsubscribes, POST .../resubscribe re-subscribes.")
    public SubscriberView update(@PathParam("email") String email, SubscriberInput input,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        SubscriberInput body = required(input);
        EmailAddress address = EmailAddress.parse(email);
        if (body.email() != null && !EmailAddress.parse(body.email()).equals(address)) {
            throw new InvalidInputException("email", "can't be changed; it must equal the address in the path or be left out");
        }
        if (body.source() != null) {
            throw new InvalidInputException("source", "is set when the subscriber is added and can't be changed");
        }
        return SubscriberView.of(subscribers.update(address, body.details(),
                OptInPolicy.Origin.of("api", ApiKeyFilter.keyId(authorization))));
    }

    @DELETE
    @Path("/{email}")
    @Operation(summary = "Unsubscribe", description = "The record stays as a suppression tombstone and is never mailed "
            + "again unless the subscriber re-subscribes explicitly. Idempotent.")
    public SubscriberView unsubscribe(@PathParam("email") String email) {
        return SubscriberView.of(subscribers.unsubscribe(EmailAddress.parse(email), "api"));
    }

    @POST
    @Path("/{email}/resubscribe")
    @Operation(summary = "Re-subscribe explicitly", description = "Only an unsubscribed address can come back; "
            + "bounced and complained addresses stay suppressed (409).")
    public SubscriberView resubscribe(@PathParam("email") String email) {
        return SubscriberView.of(subscribers.resubscribe(EmailAddress.parse(email)));
    }

    @GET
    @Path("/segment/{segment}")
    @Operation(summary = "Page through a segment", description = "In address order; pass nextCursor back as cursor. "
            + "Lists every member with its status (suppressed members included).")
    public Map<String, Object> segment(@PathParam("segment") String segment, @QueryParam("cursor") String cursor,
            @QueryParam("limit") String limit) {
        SegmentPage page = subscribers.segment(segment, cursor, parseLimit(limit));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("segment", segment);
        body.put("subscribers", page.subscribers().stream().map(SubscriberView::of).toList());
        body.put("nextCursor", page.nextCursor());
        return body;
    }

    @GET
    @Path("/stats")
    @Operation(summary = "Counts by status and by segment", description = "Read from counters kept on every write.")
    public Map<String, Object> stats() {
        SubscriberStats stats = subscribers.stats();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total", stats.total());
        body.put("byStatus", wire(stats.byStatus()));
        Map<String, Object> segments = new LinkedHashMap<>();
        stats.bySegment().forEach((name, counts) -> {
            Map<String, Object> segment = new LinkedHashMap<>();
            segment.put("total", counts.values().stream().mapToLong(Long::longValue).sum());
            segment.put("byStatus", wire(counts));
            segments.put(name, segment);
        });
        body.put("segments", segments);
        return body;
    }

    @POST
    @Path("/bulk-import")
    @Consumes({"text/csv", "application/csv", MediaType.APPLICATION_JSON})
    @RequestBody(description = "CSV with a header row (email, firstName, lastName, segments separated by ';', timeZone; "
            + "other columns become attributes) or a JSON array of SubscriberInput objects.")
    @Operation(summary = "Import subscribers from CSV or JSON", description = "Imports every valid row and reports each "
            + "rejected row with its number and reason. Idempotent. Never re-activates an unsubscribed, bounced or "
            + "complained address.")
    public Response bulkImport(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        if (body == null || body.length == 0) {
            throw new InvalidInputException("body", "is empty; send a CSV file or a JSON array");
        }
        if (body.length > BodySizeFilter.MAX_IMPORT_BYTES) {
            throw new jakarta.ws.rs.WebApplicationException(BodySizeFilter.tooLarge(BodySizeFilter.MAX_IMPORT_BYTES));
        }
        int maxRows = config.importing().maxRows();
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        List<ImportRow> rows = type.startsWith("application/json")
                ? JsonImportParser.parse(body, maxRows)
                : CsvImportParser.parse(body, maxRows);
        // The import's id goes into each consent record it writes (with the API key id) and back to the caller.
        String importId = "imp_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        ImportReport report = importer.run(rows, "import",
                OptInPolicy.Origin.of("import", importId + " " + ApiKeyFilter.keyId(authorization)));
        return Response.ok(report).header("X-Dispatch-Import-Id", importId).build();
    }

    private static Map<String, Long> wire(Map<SubscriberStatus, Long> counts) {
        Map<String, Long> result = new LinkedHashMap<>();
        counts.forEach((status, n) -> result.put(status.wireName(), n));
        return result;
    }

    private static Integer parseLimit(String limit) {
        if (limit == null || limit.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(limit.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("limit", "must be a whole number");
        }
    }

    private static SubscriberInput required(SubscriberInput input) {
        if (input == null) {
            throw new InvalidInputException("body", "is empty; send a JSON object");
        }
        return input;
    }
}
