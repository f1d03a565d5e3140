package dev.dispatch.api;

import dev.dispatch.domain.privacy.DataRequests;
import dev.dispatch.domain.privacy.PersonalData;
import dev.dispatch.domain.subscriber.EmailAddress;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A person's data requests (GDPR access and erasure): export everything held, or erase it. */
@Path("/subscribers/{email}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Subscribers")
@SecurityRequirement(name = "apiKey")
public class DataRequestResource {
    private final DataRequests requests;

    public DataRequestResource(DataRequests requests) {
        this.requests = requests;
    }

    @GET
    @Path("/export")
    @Operation(summary = "Export everything held about an address", description = "One JSON document: profile, "
            + "memberships, suppressions, engagement state and history, per-campaign events, and every send-ledger "
            + "entry (campaign, batch, variant, result). Recorded in the audit log (API key id, time; no address).")
    public Map<String, Object> export(@PathParam("email") String email,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        return requests.export(EmailAddress.parse(email), ApiKeyFilter.keyId(authorization));
    }

    @POST
    @Path("/erase")
    @Operation(summary = "Erase an address", description = "Deletes the profile, memberships, suppressions and "
            + "engagement history and redacts the address in send ledgers and campaign cursors; only a keyed hash "
            + "is kept as a suppression, so the address is never mailed or added again. 200 when complete; 202 "
            + "when a batch sending right now still holds the address (it will not be mailed): call again. "
            + "Recorded in the audit log.")
    public Response erase(@PathParam("email") String email, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        PersonalData.Erasure erasure = requests.erase(EmailAddress.parse(email), ApiKeyFilter.keyId(authorization));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("complete", erasure.complete());
        body.put("removed", erasure.removed());
        body.put("waiting", erasure.waiting());
        return Response.status(erasure.complete() ? 200 : 202).entity(body).build();
    }
}
