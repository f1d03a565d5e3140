package dev.dispatch.api;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.content.CampaignContentCheck;
import dev.dispatch.domain.content.ContentFinding;
import dev.dispatch.domain.content.ContentImprovement;
import dev.dispatch.domain.content.ContentReport;
import dev.dispatch.domain.content.MessageDraft;
import dev.dispatch.domain.content.SenderCheck;
import dev.dispatch.domain.content.SenderReport;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/content")
@RegisterForReflection(targets = {ContentFinding.class, ContentImprovement.class, SenderReport.class, SenderCheck.class})
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Content")
@SecurityRequirement(name = "apiKey")
public class ContentResource {
    private final CampaignContentCheck check;

    public ContentResource(CampaignContentCheck check) {
        this.check = check;
    }

    /** A message to check: the From address and the templates (Handlebars) of the subject, HTML and text. */
    public record ContentInput(String fromEmail, String subject, String html, String text, List<String> apply,
            List<String> dkimSelectors) {
        MessageDraft draft() {
            if ((html == null || html.isBlank()) && (text == null || text.isBlank())) {
                throw new InvalidInputException("html", "is required (or text): there is nothing to check");
            }
            return new MessageDraft(fromEmail, subject, html, text);
        }
    }

    @POST
    @Path("/check")
    @Operation(summary = "Score content for spam signals", description = "Renders the templates for a sample "
            + "recipient who has an address and nothing else, and answers the spam score (SpamAssassin's scale), "
            + "the threshold at or above which a campaign is not sent unless forced, every finding with its points, "
            + "evidence and fix, and the improvements on offer, each as before/after. With fromEmail, also the From domain's SPF, DKIM (at "
            + "dkimSelectors, else common selectors) and DMARC records and the Gmail/Yahoo bulk-sender requirements, "
            + "each pass, warn, fail or unknown (no DNS answer); they don't count towards the score. Nothing is changed.")
    public Map<String, Object> check(ContentInput input) {
        ContentInput given = required(input);
        return view(check.checkWithSender(given.draft(), given.dkimSelectors()));
    }

    @POST
    @Path("/improve")
    @Operation(summary = "Apply chosen improvements", description = "apply: the improvement ids to apply "
            + "(text-part, remove-disallowed, merge-fallbacks, unsubscribe-link). Answers the improved content and "
            + "its new check; stores nothing.")
    public Map<String, Object> improve(ContentInput input) {
        ContentInput given = required(input);
        if (given.apply() == null || given.apply().isEmpty()) {
            throw new InvalidInputException("apply", "is required: name the improvements to apply");
        }
        Set<String> ids = new LinkedHashSet<>(given.apply());
        MessageDraft improved = check.improve(given.draft(), ids);
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("fromEmail", improved.fromEmail());
        content.put("subject", improved.subject());
        content.put("html", improved.html());
        content.put("text", improved.text());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("applied", List.copyOf(ids));
        body.put("content", content);
        body.put("check", view(check.check(improved)));
        return body;
    }

    private static ContentInput required(ContentInput input) {
        if (input == null) {
            throw new InvalidInputException("body", "is empty; send a JSON object");
        }
        return input;
    }

    static Map<String, Object> view(ContentReport report) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("score", report.score());
        body.put("threshold", report.threshold());
        body.put("verdict", report.refused() ? "refused" : "ok");
        body.put("findings", report.findings());
        body.put("improvements", report.improvements());
        if (report.sender() != null) {
            body.put("sender", report.sender());
        }
        return body;
    }
}
