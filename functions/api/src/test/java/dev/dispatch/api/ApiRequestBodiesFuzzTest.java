package dev.dispatch.api;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.dispatch.adapter.render.HandlebarsTemplates;
import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.subscriber.EmailAddress;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * The API's JSON request bodies, read the way the resources read them: the first byte picks the route, the rest is
 * the body. {@code s} POST /subscribers, {@code u} PUT /subscribers/{email}, {@code c} POST /campaigns (templates
 * compiled), {@code d} POST /campaigns/{id}/send, {@code t} POST /engagement/track; any other first byte picks one
 * by its value. Each body is mapped with the API's Jackson configuration and turned into its domain command; the
 * only failures allowed are those {@link ErrorMappers} answers with 400 naming the field. (Bulk import bodies are
 * fuzzed by the shared module's import targets.) Corpus: the bodies of {@code events/api-*.json} and the README's
 * examples, in {@code src/test/resources/dev/dispatch/api/ApiRequestBodiesFuzzTestInputs/body/}.
 */
class ApiRequestBodiesFuzzTest {
    private static final ObjectMapper MAPPER = apiMapper();
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final List<Class<? extends Exception>> ANSWERED_400 = List.of(InvalidInputException.class,
            JsonParseException.class, UnrecognizedPropertyException.class, InvalidFormatException.class,
            MismatchedInputException.class);

    /**
     * The ObjectMapper Quarkus builds for the API: quarkus-jackson's defaults (modules found on the class path),
     * {@code quarkus.jackson.fail-on-unknown-properties=true} from application.properties, then the API's
     * {@link StrictJson} customizer.
     */
    static ObjectMapper apiMapper() {
        ObjectMapper mapper = JsonMapper.builder().findAndAddModules()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
        new StrictJson().customize(mapper);
        return mapper;
    }

    @FuzzTest
    @Timeout(60) // per input, and for the whole fuzzing run: keep FUZZ_SECONDS (.ci/run) below it
    void body(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte route = input[0];
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        try {
            switch (route) {
                case 's' -> addSubscriber(body);
                case 'u' -> updateSubscriber(body);
                case 'c' -> createCampaign(body);
                case 'd' -> send(body);
                case 't' -> TrackedEvents.parse(body, NOW);
                default -> {
                    input[0] = (byte) "sucdt".charAt(Math.floorMod(route, 5));
                    body(input);
                }
            }
        } catch (Exception e) {
            if (ANSWERED_400.stream().noneMatch(type -> type.isInstance(e)) && !answeredAsWrapped(e)) {
                throw new AssertionError("answered with something other than a 400 naming the field", e);
            }
        }
    }

    /**
     * Quarkus REST hands Jackson's other reading errors (StreamReadException, DatabindException,
     * StreamConstraintsException) to the mappers wrapped in a 400 WebApplicationException: the real
     * {@link ErrorMappers} must then still answer 400 naming the field.
     */
    private static boolean answeredAsWrapped(Exception e) {
        if (!(e instanceof com.fasterxml.jackson.core.JsonProcessingException)
                && !(e instanceof java.io.CharConversionException)) {
            return false;
        }
        Response response = new ErrorMappers().jaxrs(new WebApplicationException(e, Response.Status.BAD_REQUEST));
        return response.getStatus() == 400 && response.getEntity() instanceof ErrorView view && view.field() != null;
    }

    /** An empty body reaches a resource as null, which it refuses itself. */
    private static <T> T read(byte[] body, Class<T> type) throws IOException {
        return body.length == 0 ? null : MAPPER.readValue(body, type);
    }

    private static void addSubscriber(byte[] body) throws IOException {
        SubscriberInput input = read(body, SubscriberInput.class);
        if (input == null) {
            return;
        }
        EmailAddress.parse(input.email());
        input.details();
    }

    private static void updateSubscriber(byte[] body) throws IOException {
        SubscriberInput input = read(body, SubscriberInput.class);
        if (input == null) {
            return;
        }
        if (input.email() != null) {
            EmailAddress.parse(input.email());
        }
        input.details();
    }

    private static void createCampaign(byte[] body) throws IOException {
        CampaignInput input = read(body, CampaignInput.class);
        if (input != null) {
            input.draft().validate("cmp_fuzz", HandlebarsTemplates.html(), NOW);
        }
    }

    private static void send(byte[] body) throws IOException {
        CampaignResource.SendInput input = read(body, CampaignResource.SendInput.class);
        if (input != null && input.sendAt() != null && !input.sendAt().isBlank()) {
            try {
                Instant.parse(input.sendAt().strip());
            } catch (java.time.format.DateTimeParseException e) {
                throw new InvalidInputException("sendAt", "must be an ISO-8601 instant");
            }
        }
    }
}
