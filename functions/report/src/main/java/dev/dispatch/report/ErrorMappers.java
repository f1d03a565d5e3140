package dev.dispatch.report;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.NotFoundException;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Bad input: 400 naming the parameter; unknown report or campaign: 404 saying what is known. Always JSON. */
public class ErrorMappers {

    @ServerExceptionMapper
    public Response invalid(InvalidInputException e) {
        return error(400, e.reason(), e.field());
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return error(404, e.getMessage(), null);
    }

    static Response error(int status, String message, String field) {
        return Response.status(status).type("application/json").entity(body(message, field)).build();
    }

    /** {@code {"error": ..., "field": ...}}, as the api answers errors. */
    static Map<String, Object> body(String message, String field) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("field", field);
        return body;
    }
}
