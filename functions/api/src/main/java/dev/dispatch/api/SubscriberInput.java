package dev.dispatch.api;

import dev.dispatch.domain.subscriber.SubscriberDetails;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of POST /subscribers and PUT /subscribers/{email}. */
@Schema(name = "SubscriberInput")
public record SubscriberInput(
        @Schema(description = "Required on POST; on PUT it may be left out or must equal the path", example = "ada@example.com") String email,
        @Schema(example = "Ada") String firstName,
        @Schema(example = "Lovelace") String lastName,
        @Schema(description = "Custom attributes for personalization: string, number or boolean values") Map<String, Object> attributes,
        @Schema(description = "Segment names; on PUT the list replaces the current one", example = "[\"newsletter\"]") List<String> segments,
        @Schema(description = "IANA time zone", example = "Europe/London") String timeZone,
        @Schema(description = "Where the subscriber came from (POST only)", example = "signup-form") String source) {

    SubscriberDetails details() {
        return SubscriberDetails.of(firstName, lastName, attributes, segments, timeZone);
    }
}
