package dev.dispatch.api;

import dev.dispatch.domain.NotFoundException;
import dev.dispatch.domain.subscriber.SignedLinks;
import dev.dispatch.domain.subscriber.SubscriberService;
import dev.dispatch.domain.subscriber.UnsubscribeTokens;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * RFC 8058 one-click unsubscribe. POST (what mailbox providers send, body {@code List-Unsubscribe=One-Click}, and
 * what the page's button sends) unsubscribes at once, no login, no confirmation. GET only shows a page with that
 * button: link scanners and prefetchers follow GETs, so a GET must never unsubscribe.
 */
@Path("/u/{token}")
@Tag(name = "Unsubscribe")
public class UnsubscribeResource {
    private final UnsubscribeTokens tokens;
    private final SubscriberService subscribers;

    public UnsubscribeResource(UnsubscribeTokens tokens, SubscriberService subscribers) {
        this.tokens = tokens;
        this.subscribers = subscribers;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The unsubscribe page (never unsubscribes by itself)")
    public Response page(@PathParam("token") String token) {
        Optional<UnsubscribeTokens.Claim> claim = tokens.verify(token).filter(SignedLinks::isUnsubscribe);
        if (claim.isEmpty()) {
            return invalid();
        }
        return html(200, "Unsubscribe", "<p>Stop receiving these emails at <strong>" + escape(mask(claim.get().email().value()))
                + "</strong>?</p><form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                + "<button type=\"submit\">Unsubscribe</button></form>");
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "One-click unsubscribe (RFC 8058)")
    public Response unsubscribe(@PathParam("token") String token) {
        // A confirmation or preference link is no unsubscribe link (SignedLinks): refused like a forged one.
        Optional<UnsubscribeTokens.Claim> claim = tokens.verify(token).filter(SignedLinks::isUnsubscribe);
        if (claim.isEmpty()) {
            return invalid();
        }
        String source = claim.get().campaignId() == null ? "one-click" : "one-click:" + claim.get().campaignId();
        try {
            subscribers.unsubscribe(claim.get().email(), source);
        } catch (NotFoundException e) {
            // The profile is gone: there is nobody left to mail. Same answer, so the page reveals nothing.
        }
        return html(200, "Unsubscribed", "<p>You are unsubscribed and will not receive these emails any more.</p>");
    }

    private static Response invalid() {
        return html(400, "Link not valid", "<p>This unsubscribe link is not valid. Use the link from the latest email, "
                + "or reply to that email to be removed.</p>");
    }

    static Response html(int status, String title, String body) {
        String page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                + "content=\"width=device-width\"><title>" + title + "</title></head><body style=\"font-family:sans-serif;"
                + "max-width:32rem;margin:3rem auto\"><h1>" + title + "</h1>" + body + "</body></html>";
        return Response.status(status).type("text/html; charset=utf-8").entity(page).build();
    }

    /** a***@example.com: enough to recognise, not enough to read off a shared screen. */
    static String mask(String email) {
        int at = email.lastIndexOf('@');
        return email.charAt(0) + "***" + email.substring(at);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
