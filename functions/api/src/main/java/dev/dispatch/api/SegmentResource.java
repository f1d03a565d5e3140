package dev.dispatch.api;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.campaign.Campaign;
import dev.dispatch.domain.consent.SegmentConsent;
import dev.dispatch.domain.consent.SegmentSettings;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A segment's consent settings: double opt-in, the confirmation mail, the consent text and its version. */
@Path("/segments/{segment}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Segments")
@SecurityRequirement(name = "apiKey")
public class SegmentResource {
    private final SegmentConsent consent;

    public SegmentResource(SegmentConsent consent) {
        this.consent = consent;
    }

    @GET
    @Operation(summary = "A segment's consent settings")
    public Map<String, Object> get(@PathParam("segment") String segment) {
        return view(consent.get(segment));
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Set a segment's consent settings", description = "doubleOptIn (required); with it, fromEmail "
            + "(required), fromName, replyTo, subject, html/text (must contain {{confirmUrl}}; {{segment}} is the "
            + "segment's name; a default mail if both are left out); consentText and consentVersion for every segment. "
            + "Anyone added to a double opt-in segment afterwards starts pending and gets one confirmation mail.")
    public Map<String, Object> put(@PathParam("segment") String segment, SegmentConsent.Input input,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        if (input == null) {
            throw new InvalidInputException("body", "is empty; send a JSON object");
        }
        return view(consent.configure(segment, input, ApiKeyFilter.keyId(authorization)));
    }

    private static Map<String, Object> view(SegmentConsent.View view) {
        SegmentSettings s = view.settings();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("segment", s.segment());
        body.put("doubleOptIn", s.doubleOptIn());
        body.put("version", s.version());
        body.put("consentText", s.consentText());
        body.put("consentVersion", s.consentVersion());
        body.put("updatedAt", s.updatedAt() == null ? null : s.updatedAt().toString());
        body.put("updatedBy", s.updatedBy());
        Campaign c = view.confirmation();
        if (c != null) {
            Map<String, Object> mail = new LinkedHashMap<>();
            mail.put("campaignId", c.id());
            mail.put("fromEmail", c.fromEmail());
            mail.put("fromName", c.fromName());
            mail.put("subject", c.content().subject());
            mail.put("html", c.content().html());
            mail.put("text", c.content().text());
            body.put("confirmation", mail);
        }
        return body;
    }
}
