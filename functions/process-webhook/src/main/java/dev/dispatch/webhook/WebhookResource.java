package dev.dispatch.webhook;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /webhooks/{sendgrid|amazon-ses|postmark|generic}}: hands the request, body as raw bytes (signatures
 * are over the exact bytes; any content type, SNS sends text/plain), to {@link WebhookIntake} and answers what it
 * says.
 */
@Path("/webhooks")
public class WebhookResource {

    @Inject
    CurrentIntake intake;

    @POST
    @Path("/{provider}")
    @Consumes(MediaType.WILDCARD)
    public Response receive(@PathParam("provider") String provider, @Context HttpHeaders headers,
            @Context UriInfo uri, byte[] body) {
        WebhookIntake.Answer answer = intake.intake().receive(provider, joined(headers.getRequestHeaders()),
                body == null ? new byte[0] : body, joined(uri.getQueryParameters()));
        Response.ResponseBuilder response = Response.status(answer.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(answer.body());
        answer.headers().forEach(response::header);
        return response.build();
    }

    /** One value per name, repeats joined with commas as API Gateway joins them. */
    private static Map<String, String> joined(MultivaluedMap<String, String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> entry : values.entrySet()) {
            if (entry.getValue() != null && !entry.getValue().isEmpty()) {
                out.put(entry.getKey(), String.join(",", entry.getValue()));
            }
        }
        return out;
    }
}
