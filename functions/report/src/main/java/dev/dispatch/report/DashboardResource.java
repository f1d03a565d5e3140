package dev.dispatch.report;

import dev.dispatch.adapter.secrets.ApiKeyDigests;
import dev.dispatch.adapter.secrets.DashboardSessions;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;

/**
 * {@code GET /dashboard}: the live dashboards (system status, provider performance, campaigns sending, warming)
 * for whoever holds a valid session or the API key; anyone else gets the login page, which holds no data. The page
 * is static: its script fetches the report endpoints (with the session cookie) and draws them with uPlot, both
 * served from this function's own jar ({@code /dashboard/assets/...}), so it works offline and under
 * {@code default-src 'self'} (no inline script or style).
 *
 * <p>Login: the API key is posted once from the form and checked by the same rule as every route
 * (ApiKeyDigests); the browser then keeps only a signed, expiring session in an HttpOnly, Secure,
 * SameSite=Strict cookie, never the key.
 */
@Path("/")
public class DashboardResource {
    static final String SESSION_COOKIE = "dispatch_session";
    private static final String HTML = MediaType.TEXT_HTML + "; charset=utf-8";
    /** The assets by the name they are served under: the chart library from its WebJar, the page's own files. */
    private static final Map<String, Asset> ASSETS = loadAssets();

    private final ApiKeyDigests keyDigests;
    private final DashboardSessions sessions;
    private final ReportConfig config;

    public DashboardResource(ApiKeyDigests keyDigests, DashboardSessions sessions, ReportConfig config) {
        this.keyDigests = keyDigests;
        this.sessions = sessions;
        this.config = config;
    }

    private record Asset(byte[] bytes, String type) {}

    /** The routes the key filter lets through: they show no data without a session (or are code). */
    static boolean isDashboardPage(String path) {
        if (path == null) {
            return false;
        }
        if (!path.startsWith("/")) {
            path = "/" + path;
        }
        return path.equals("/dashboard") || path.equals("/dashboard/login") || path.equals("/dashboard/logout")
                || (path.startsWith("/dashboard/assets/") && ASSETS.containsKey(path.substring("/dashboard/assets/".length())));
    }

    @GET
    @Path("dashboard")
    public Response dashboard(@CookieParam(SESSION_COOKIE) String session,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        if (!sessions.valid(session) && !keyDigests.accepts(authorization)) {
            return login(200, "");
        }
        String page = page("dashboard.html").replace("{{refreshMillis}}",
                Long.toString(config.dashboard().refreshInterval().toMillis()));
        return Response.ok(page, HTML).header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }

    @POST
    @Path("dashboard/login")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response login(@FormParam("key") String key) {
        if (key == null || key.isBlank() || key.length() > 500 || !keyDigests.accepts("Bearer " + key.strip())) {
            return login(401, "That key is not accepted.");
        }
        // 303: the browser follows with a GET of the dashboard, carrying the new cookie.
        return Response.seeOther(URI.create("/dashboard"))
                .header(HttpHeaders.SET_COOKIE, cookie(sessions.issue(), sessions.lifetime().toSeconds()))
                .header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }

    @POST
    @Path("dashboard/logout")
    public Response logout() {
        return Response.seeOther(URI.create("/dashboard")).header(HttpHeaders.SET_COOKIE, cookie("", 0)).build();
    }

    @GET
    @Path("dashboard/assets/{name}")
    public Response asset(@PathParam("name") String name) {
        Asset asset = ASSETS.get(name);
        if (asset == null) {
            return ErrorMappers.error(404, "no dashboard asset " + name, null);
        }
        return Response.ok(asset.bytes(), asset.type()).header(HttpHeaders.CACHE_CONTROL, "public, max-age=3600").build();
    }

    private static String cookie(String value, long maxAgeSeconds) {
        // Path=/: the page's script reads /reports/* with it. Secure: never sent over plain HTTP (browsers treat
        // 127.0.0.1 and localhost as secure, so the local stack works). SameSite=Strict: not sent from other sites.
        return SESSION_COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; Secure; SameSite=Strict";
    }

    private static Response login(int status, String message) {
        return Response.status(status).type(HTML).entity(page("login.html").replace("{{message}}", message))
                .header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }

    private static String page(String name) {
        return new String(resource("dashboard/" + name), StandardCharsets.UTF_8);
    }

    private static Map<String, Asset> loadAssets() {
        Properties webjar = new Properties();
        try (InputStream in = stream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            webjar.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String uplot = "META-INF/resources/webjars/uplot/" + webjar.getProperty("version") + "/dist/";
        String js = "text/javascript; charset=utf-8";
        String css = "text/css; charset=utf-8";
        return Map.of(
                "uPlot.iife.min.js", new Asset(resource(uplot + "uPlot.iife.min.js"), js),
                "uPlot.min.css", new Asset(resource(uplot + "uPlot.min.css"), css),
                "dashboard.js", new Asset(resource("dashboard/dashboard.js"), js),
                "dashboard.css", new Asset(resource("dashboard/dashboard.css"), css));
    }

    private static byte[] resource(String name) {
        try (InputStream in = stream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream stream(String name) {
        InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("the dashboard's resource " + name + " is not on the class path");
        }
        return in;
    }
}
