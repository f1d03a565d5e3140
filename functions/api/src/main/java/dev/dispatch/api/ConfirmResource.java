package dev.dispatch.api;

import dev.dispatch.domain.consent.OptInPolicy;
import dev.dispatch.domain.consent.SegmentSettingsStore;
import dev.dispatch.domain.subscriber.SignedLinks;
import dev.dispatch.domain.subscriber.SubscriberService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Double opt-in confirmation links ({@code /c/<token>}, signed like one-click unsubscribe links). GET only shows a
 * page with a button (mail scanners and prefetchers follow GETs; a GET must never confirm); the button's POST
 * confirms and records the click's IP address and user agent as the consent's evidence.
 */
@Path("/c/{token}")
@Tag(name = "Double opt-in")
public class ConfirmResource {
    private static final int MAX_USER_AGENT = 512;

    private final SignedLinks links;
    private final SubscriberService subscribers;
    private final SegmentSettingsStore settings;

    public ConfirmResource(SignedLinks links, SubscriberService subscribers, SegmentSettingsStore settings) {
        this.links = links;
        this.subscribers = subscribers;
        this.settings = settings;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The confirmation page (never confirms by itself)")
    public Response page(@PathParam("token") String token) {
        Optional<SignedLinks.Confirmation> claim = links.verifyConfirmation(token);
        if (claim.isEmpty()) {
            return invalid();
        }
        String segment = claim.get().segment();
        String text = settings.find(segment).map(s -> s.consentText()).orElse(null);
        return UnsubscribeResource.html(200, "Confirm your subscription", "<p>Confirm that <strong>"
                + UnsubscribeResource.escape(UnsubscribeResource.mask(claim.get().email().value()))
                + "</strong> wants to receive <strong>" + UnsubscribeResource.escape(segment) + "</strong> emails?</p>"
                + (text == null ? "" : "<p>" + UnsubscribeResource.escape(text) + "</p>")
                + "<form method=\"post\"><button type=\"submit\">Confirm my subscription</button></form>");
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "Confirm a double opt-in")
    public Response confirm(@PathParam("token") String token, @HeaderParam("X-Forwarded-For") String forwardedFor,
            @HeaderParam(HttpHeaders.USER_AGENT) String userAgent) {
        Optional<SignedLinks.Confirmation> claim = links.verifyConfirmation(token);
        if (claim.isEmpty()) {
            return invalid();
        }
        OptInPolicy.Origin origin = new OptInPolicy.Origin("confirmation-link", null, clientIp(forwardedFor),
                userAgent == null ? null : userAgent.substring(0, Math.min(userAgent.length(), MAX_USER_AGENT)));
        return switch (subscribers.confirm(claim.get().email(), claim.get().segment(), origin)) {
            case CONFIRMED, ALREADY_CONFIRMED -> UnsubscribeResource.html(200, "Subscription confirmed",
                    "<p>Thank you: your subscription is confirmed.</p>");
            case EXPIRED -> UnsubscribeResource.html(410, "Link expired", "<p>This confirmation link has expired or "
                    + "was replaced by a newer one. Subscribe again to get a new link.</p>");
            case SUPPRESSED, UNKNOWN -> UnsubscribeResource.html(410, "Nothing to confirm",
                    "<p>There is no subscription waiting for this confirmation.</p>");
        };
    }

    /**
     * The client's address: API Gateway appends the address it saw to X-Forwarded-For, so the last entry is the
     * one a client can't forge.
     */
    static String clientIp(String forwardedFor) {
        if (forwardedFor == null || forwardedFor.isBlank()) {
            return null;
        }
        String[] hops = forwardedFor.split(",");
        String last = hops[hops.length - 1].strip();
        return last.length() > 64 ? last.substring(0, 64) : last;
    }

    static Response invalid() {
        return UnsubscribeResource.html(400, "Link not valid", "<p>This link is not valid: it may be incomplete or "
                + "changed. Use the link from the latest email. Nothing was changed.</p>");
    }
}
