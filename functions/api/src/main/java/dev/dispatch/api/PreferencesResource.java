package dev.dispatch.api;

import dev.dispatch.domain.NotFoundException;
import dev.dispatch.domain.consent.OptInPolicy;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.SignedLinks;
import dev.dispatch.domain.subscriber.Subscriber;
import dev.dispatch.domain.subscriber.SubscriberService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The preference center ({@code /p/<token>}, a signed per-recipient link in every campaign): a server-rendered page
 * listing the recipient's segments with a checkbox each; the form's POST (no JavaScript) keeps the checked ones and
 * leaves the others, or unsubscribes from everything. A bad or changed token gets an error page and changes nothing.
 */
@Path("/p/{token}")
@Tag(name = "Preference center")
public class PreferencesResource {
    private final SignedLinks links;
    private final SubscriberService subscribers;

    public PreferencesResource(SignedLinks links, SubscriberService subscribers) {
        this.links = links;
        this.subscribers = subscribers;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The preference page (changes nothing)")
    public Response page(@PathParam("token") String token) {
        Optional<EmailAddress> email = links.verifyPreferences(token);
        if (email.isEmpty()) {
            return ConfirmResource.invalid();
        }
        Subscriber s = find(email.get());
        if (s == null || s.status().suppressed()) {
            return UnsubscribeResource.html(200, "Your subscriptions", "<p>This address receives no emails from us.</p>");
        }
        return page(s, null);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "Keep the checked segments, leave the others, or unsubscribe from all")
    public Response save(@PathParam("token") String token, @FormParam("keep") List<String> keep,
            @FormParam("action") String action, @HeaderParam("X-Forwarded-For") String forwardedFor,
            @HeaderParam(HttpHeaders.USER_AGENT) String userAgent) {
        Optional<EmailAddress> email = links.verifyPreferences(token);
        if (email.isEmpty()) {
            return ConfirmResource.invalid();
        }
        Subscriber s = find(email.get());
        if (s == null || s.status().suppressed()) {
            return UnsubscribeResource.html(200, "Your subscriptions", "<p>This address receives no emails from us.</p>");
        }
        if ("unsubscribe-all".equals(action)) {
            subscribers.unsubscribe(email.get(), "preference-center");
            return UnsubscribeResource.html(200, "Unsubscribed", "<p>You are unsubscribed from all emails.</p>");
        }
        Set<String> kept = keep == null ? Set.of() : new HashSet<>(keep);
        Set<String> leave = new HashSet<>(s.segments());
        leave.removeAll(kept); // only segments the person holds can be left; anything else in the form is ignored
        OptInPolicy.Origin origin = new OptInPolicy.Origin("preference-center", null,
                ConfirmResource.clientIp(forwardedFor), userAgent == null ? null
                        : userAgent.substring(0, Math.min(userAgent.length(), 512)));
        Subscriber after = subscribers.leave(email.get(), leave, origin);
        return page(after, "Your preferences are saved.");
    }

    private Subscriber find(EmailAddress email) {
        try {
            return subscribers.get(email);
        } catch (NotFoundException e) {
            return null;
        }
    }

    private static Response page(Subscriber s, String notice) {
        StringBuilder body = new StringBuilder();
        if (notice != null) {
            body.append("<p><strong>").append(UnsubscribeResource.escape(notice)).append("</strong></p>");
        }
        body.append("<p>Emails to <strong>").append(UnsubscribeResource.escape(UnsubscribeResource.mask(s.email().value())))
                .append("</strong>. Uncheck what you no longer want.</p><form method=\"post\">");
        if (s.segments().isEmpty()) {
            body.append("<p>You are in no list at the moment.</p>");
        }
        for (String segment : s.segments()) {
            String name = UnsubscribeResource.escape(segment);
            body.append("<p><label><input type=\"checkbox\" name=\"keep\" value=\"").append(name)
                    .append("\" checked> ").append(name).append("</label></p>");
        }
        body.append("<p><button type=\"submit\" name=\"action\" value=\"save\">Save</button></p>")
                .append("<p><button type=\"submit\" name=\"action\" value=\"unsubscribe-all\">Unsubscribe from all"
                        + "</button></p></form>");
        return UnsubscribeResource.html(200, "Your subscriptions", body.toString());
    }
}
