package dev.dispatch.webhook;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * Provider webhooks. Not built yet (see the engagement tracking issue): answering 2xx would make providers drop
 * events we never stored, so every call gets 501 and providers keep retrying.
 */
@Path("/webhooks")
public class WebhookResource {

    @POST
    @Path("/{provider}")
    public Response receive(@PathParam("provider") String provider) {
        return Response.status(501)
                .type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", "webhook processing is not implemented yet"))
                .build();
    }
}
