package dev.dispatch.report;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** Reports and dashboards. Not built yet: answers 501 rather than showing made-up figures. */
@Path("/")
public class ReportResource {

    @GET
    @Path("dashboard")
    public Response dashboard() {
        return notImplemented();
    }

    @GET
    @Path("reports/{report}")
    public Response report() {
        return notImplemented();
    }

    private static Response notImplemented() {
        return Response.status(501)
                .type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", "reports are not implemented yet"))
                .build();
    }
}
