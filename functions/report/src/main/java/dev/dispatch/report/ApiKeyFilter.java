package dev.dispatch.report;

import dev.dispatch.adapter.secrets.ApiKeyDigests;
import dev.dispatch.adapter.secrets.DashboardSessions;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

/**
 * Every data route of this function needs the API key, checked exactly as the api function checks it, or a
 * dashboard session made from that key (DashboardResource's login). The only routes let through are the
 * dashboard's own pages, which decide for themselves (a login page without data unless the session is valid), and
 * its static assets (the chart library and the page's script and style: code, no data).
 */
@Provider
@ApplicationScoped
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {
    private final ApiKeyDigests keyDigests;
    private final DashboardSessions sessions;

    public ApiKeyFilter(ApiKeyDigests keyDigests, DashboardSessions sessions) {
        this.keyDigests = keyDigests;
        this.sessions = sessions;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (DashboardResource.isDashboardPage(request.getUriInfo().getPath())) {
            return;
        }
        if (!authenticated(request)) {
            request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                    .entity(ErrorMappers.body("unauthorized", null)) // the api's 401 body
                    .type("application/json")
                    .build());
        }
    }

    /** The API key in the Authorization header, or a valid dashboard session cookie. */
    boolean authenticated(ContainerRequestContext request) {
        return keyDigests.accepts(request.getHeaderString(HttpHeaders.AUTHORIZATION))
                || sessions.valid(sessionCookie(request.getCookies().get(DashboardResource.SESSION_COOKIE)));
    }

    private static String sessionCookie(Cookie cookie) {
        return cookie == null ? null : cookie.getValue();
    }
}
