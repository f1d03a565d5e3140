package dev.dispatch.api;

import dev.dispatch.domain.content.ContentRefusedException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.dispatch.domain.ImportFileException;
import dev.dispatch.domain.ConflictException;
import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.io.CharConversionException;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import software.amazon.awssdk.core.exception.SdkException;

/** One place that turns every failure into a status and an {@link ErrorView}; nothing leaks a stack trace. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response invalid(InvalidInputException e) {
        return error(400, e.reason(), e.field());
    }

    @ServerExceptionMapper
    public Response importFile(ImportFileException e) {
        return error(400, e.getMessage(), "body");
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return error(404, e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response contentRefused(ContentRefusedException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.getMessage());
        body.put("field", "content");
        body.putAll(ContentResource.view(e.report()));
        return Response.status(422).type("application/json").entity(body).build();
    }

    @ServerExceptionMapper
    public Response conflict(ConflictException e) {
        return error(409, e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e) {
        String known = e.getKnownPropertyIds() == null ? "" : " (known: "
                + e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", ")) + ")";
        return error(400, "is not a known field" + known, path(e));
    }

    @ServerExceptionMapper
    public Response wrongFormat(InvalidFormatException e) {
        return error(400, "has a value of the wrong type (" + e.getValue() + ")", path(e));
    }

    @ServerExceptionMapper
    public Response wrongType(MismatchedInputException e) {
        String field = path(e);
        String expected = e.getTargetType() == null ? "another type" : describe(e.getTargetType());
        return error(400, field == null ? "the body must be a JSON object" : "must be " + expected, field);
    }

    @ServerExceptionMapper
    public Response malformed(JsonParseException e) {
        return error(400, "malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(), "body");
    }

    /**
     * Jackson guesses a body's encoding from its first bytes (RFC 4627's UTF-16/32 detection); a body whose leading
     * NUL bytes make it look like UTF-32 but is not valid UTF-32 fails with this (found by ApiRequestBodiesFuzzTest).
     */
    @ServerExceptionMapper
    public Response notUtf8(CharConversionException e) {
        return error(400, "the body is not JSON in UTF-8 (RFC 8259)", "body");
    }

    /** A body without a declared length that ran past its limit while being read (see BodySizeFilter). */
    @ServerExceptionMapper
    public Response tooLarge(BodySizeFilter.BodyTooLargeException e) {
        return BodySizeFilter.tooLarge(e.limit());
    }

    @ServerExceptionMapper
    public Response jaxrs(WebApplicationException e) {
        Throwable cause = e.getCause();
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof BodySizeFilter.BodyTooLargeException tooLarge) {
                return tooLarge(tooLarge);
            }
        }
        if (cause instanceof UnrecognizedPropertyException u) {
            return unknownField(u);
        }
        if (cause instanceof InvalidFormatException f) {
            return wrongFormat(f);
        }
        if (cause instanceof MismatchedInputException m) {
            return wrongType(m);
        }
        if (cause instanceof JsonParseException p) {
            return malformed(p);
        }
        // Quarkus wraps the rest of Jackson's reading errors too (found by ApiRequestBodiesFuzzTest: invalid UTF-8
        // inside a string arrives as a JsonMappingException around the JsonParseException).
        if (cause instanceof JsonMappingException m && m.getCause() instanceof JsonParseException p) {
            return malformed(p);
        }
        if (cause instanceof JsonProcessingException j) {
            return error(400, "malformed JSON: " + j.getOriginalMessage(), "body");
        }
        if (cause instanceof CharConversionException c) {
            return notUtf8(c);
        }
        int status = e.getResponse().getStatus();
        String message = switch (status) {
            case 404 -> "no such route";
            case 405 -> "method not allowed on this route";
            case 406 -> "only application/json responses are available";
            case 415 -> "unsupported content type";
            default -> e.getMessage();
        };
        return error(status, message, null);
    }

    @ServerExceptionMapper
    public Response storage(SdkException e) {
        // Retryable from the caller's side: nothing was acknowledged, and every write path is idempotent.
        LOG.errorf("storage call failed: %s", e.getClass().getSimpleName());
        LOG.debug("storage failure", e);
        return Response.status(503).header("Retry-After", "1").type("application/json")
                .entity(new ErrorView("storage is unavailable; retry the request", null)).build();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof BodySizeFilter.BodyTooLargeException tooLarge) {
                return tooLarge(tooLarge);
            }
        }
        LOG.error("unexpected failure", e);
        return error(500, "internal error", null);
    }

    private static Response error(int status, String message, String field) {
        return Response.status(status).type("application/json").entity(new ErrorView(message, field)).build();
    }

    private static String path(JsonMappingException e) {
        if (e.getPath() == null || e.getPath().isEmpty()) {
            return null;
        }
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.length() == 0 ? null : path.toString();
    }

    private static String describe(Class<?> type) {
        if (type == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "an array of strings";
        }
        if (java.util.Map.class.isAssignableFrom(type)) {
            return "an object";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        return "a JSON object";
    }
}
