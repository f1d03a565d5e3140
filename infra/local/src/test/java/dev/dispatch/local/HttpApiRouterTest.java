package dev.dispatch.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpApiRouterTest {
    private final HttpApiRouter router = new HttpApiRouter()
            .add("GET", "/subscribers/{email}", "get")
            .add("GET", "/subscribers/stats", "stats")
            .add("GET", "/subscribers/segment/{segment}", "segment")
            .add("POST", "/subscribers/{email}/resubscribe", "resubscribe")
            .add("PUT", "/subscribers/{email}", "put")
            .add("GET", "/docs", "docs")
            .add("GET", "/docs/{proxy+}", "assets")
            .add("ANY", "/things/{id}", "any-thing")
            .add("DELETE", "/things/{id}", "delete-thing");

    private String target(String method, String path) {
        return router.match(method, path).map(m -> m.route().target()).orElse("404");
    }

    @Test
    void aLiteralSegmentBeatsAPathVariable() {
        assertEquals("stats", target("GET", "/subscribers/stats"));
        assertEquals("get", target("GET", "/subscribers/ada@example.com"));
        assertEquals("segment", target("GET", "/subscribers/segment/vip"));
    }

    @Test
    void methodsMustMatchAndAnyIsTheFallback() {
        assertEquals("put", target("PUT", "/subscribers/x"));
        assertEquals("404", target("DELETE", "/subscribers/x"));
        assertEquals("404", target("POST", "/subscribers/stats"));
        assertEquals("delete-thing", target("DELETE", "/things/1"));
        assertEquals("any-thing", target("PATCH", "/things/1"));
    }

    @Test
    void greedyVariablesComeLastAndTakeTheRestOfThePath() {
        assertEquals("docs", target("GET", "/docs"));
        var match = router.match("GET", "/docs/swagger-ui/index.html").orElseThrow();
        assertEquals("assets", match.route().target());
        assertEquals(Map.of("proxy", "swagger-ui/index.html"), match.pathParameters());
        assertEquals("GET /docs/{proxy+}", match.route().routeKey());
    }

    @Test
    void pathParametersAreDecodedAndSegmentCountsMustAgree() {
        var match = router.match("GET", "/subscribers/ada%40example.com").orElseThrow();
        assertEquals(Map.of("email", "ada@example.com"), match.pathParameters());
        assertEquals("GET /subscribers/{email}", match.route().routeKey());
        assertEquals(Map.of("email", "a+b c"),
                router.match("GET", "/subscribers/a+b%20c").orElseThrow().pathParameters());
        assertEquals("resubscribe", target("POST", "/subscribers/x/resubscribe"));
        assertEquals("404", target("GET", "/subscribers/x/y/z"));
        assertEquals("404", target("GET", "/subscribers/"));
        assertEquals("404", target("GET", "/health"));
    }

    @Test
    void aDefaultRouteCatchesTheRest() {
        HttpApiRouter withDefault = new HttpApiRouter().add("GET", "/a", "a").add(null, null, "fallback");
        assertEquals("fallback", withDefault.match("POST", "/anything/at/all").orElseThrow().route().target());
        assertEquals("$default", withDefault.match("POST", "/x").orElseThrow().route().routeKey());
        assertEquals("a", withDefault.match("GET", "/a").orElseThrow().route().target());
    }

    @Test
    void duplicateRoutesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new HttpApiRouter().add("GET", "/a", "x").add("get", "/a", "y"));
        assertTrue(router.routes().size() > 5);
    }
}
