package dev.dispatch.local;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Route selection of an API Gateway HTTP API: a route is {@code METHOD /path} where segments may be literals,
 * {@code {name}} (one segment) or a final greedy {@code {name+}}; {@code ANY} matches every method and
 * {@code $default} catches what no route matches. When several routes match, the most specific wins: comparing
 * segment by segment, a literal beats a variable; greedy routes come last; an exact method beats ANY.
 */
public final class HttpApiRouter {

    /** One route and the function it integrates with. */
    public record Route(String method, String path, String target) {
        public Route {
            method = method == null || method.isBlank() || method.equals("*") ? "ANY" : method.toUpperCase(Locale.ROOT);
            if (path == null || path.isBlank()) {
                path = "$default";
            }
            if (!path.equals("$default") && !path.startsWith("/")) {
                throw new IllegalArgumentException("Route path must start with '/': " + path);
            }
        }

        /** API Gateway's route key, e.g. {@code GET /subscribers/{email}} or {@code $default}. */
        public String routeKey() {
            return isDefault() ? "$default" : method + " " + path;
        }

        boolean isDefault() {
            return path.equals("$default");
        }

        List<String> segments() {
            return split(path);
        }

        boolean greedy() {
            List<String> s = segments();
            return !s.isEmpty() && s.get(s.size() - 1).endsWith("+}");
        }
    }

    /** A selected route with its decoded path parameters. */
    public record Match(Route route, Map<String, String> pathParameters) {
    }

    private final List<Route> routes = new ArrayList<>();

    public HttpApiRouter add(String method, String path, String target) {
        Route route = new Route(method, path, target);
        for (Route existing : routes) {
            if (existing.routeKey().equals(route.routeKey())) {
                throw new IllegalArgumentException("Duplicate route " + route.routeKey() + " (" + existing.target()
                        + " and " + target + ")");
            }
        }
        routes.add(route);
        return this;
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }

    /** The route API Gateway would pick for {@code method} and the raw (still percent-encoded) path. */
    public Optional<Match> match(String method, String rawPath) {
        String m = method.toUpperCase(Locale.ROOT);
        List<String> request = split(rawPath);
        List<Match> candidates = new ArrayList<>();
        Match fallback = null;
        for (Route route : routes) {
            if (route.isDefault()) {
                fallback = new Match(route, Map.of()); // only one $default route can exist
                continue;
            }
            if (!route.method().equals("ANY") && !route.method().equals(m)) {
                continue;
            }
            Map<String, String> params = bind(route.segments(), request);
            if (params != null) {
                candidates.add(new Match(route, params));
            }
        }
        if (candidates.isEmpty()) {
            return Optional.ofNullable(fallback);
        }
        candidates.sort(SPECIFICITY);
        return Optional.of(candidates.get(0));
    }

    private static final Comparator<Match> SPECIFICITY = (a, b) -> {
        Route ra = a.route();
        Route rb = b.route();
        if (ra.greedy() != rb.greedy()) {
            return ra.greedy() ? 1 : -1;
        }
        List<String> sa = ra.segments();
        List<String> sb = rb.segments();
        for (int i = 0; i < Math.min(sa.size(), sb.size()); i++) {
            int ka = kind(sa.get(i));
            int kb = kind(sb.get(i));
            if (ka != kb) {
                return Integer.compare(ka, kb);
            }
        }
        if (sa.size() != sb.size()) {
            return Integer.compare(sb.size(), sa.size()); // the longer literal prefix is more specific
        }
        boolean anyA = ra.method().equals("ANY");
        boolean anyB = rb.method().equals("ANY");
        if (anyA != anyB) {
            return anyA ? 1 : -1;
        }
        return 0;
    };

    /** 0 literal, 1 variable, 2 greedy variable. */
    private static int kind(String segment) {
        if (segment.startsWith("{") && segment.endsWith("+}")) {
            return 2;
        }
        if (segment.startsWith("{") && segment.endsWith("}")) {
            return 1;
        }
        return 0;
    }

    private static Map<String, String> bind(List<String> template, List<String> request) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < template.size(); i++) {
            String t = template.get(i);
            int kind = kind(t);
            if (kind == 2) {
                if (i >= request.size()) {
                    return null; // a greedy variable needs at least one segment
                }
                String rest = String.join("/", request.subList(i, request.size()));
                if (rest.isEmpty()) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 2), decode(rest));
                return params;
            }
            if (i >= request.size()) {
                return null;
            }
            String r = request.get(i);
            if (kind == 1) {
                if (r.isEmpty()) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 1), decode(r));
            } else if (!t.equals(r)) {
                return null;
            }
        }
        return template.size() == request.size() ? params : null;
    }

    static List<String> split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        List<String> out = new ArrayList<>();
        if (p.isEmpty()) {
            return out;
        }
        for (String s : p.split("/", -1)) {
            out.add(s);
        }
        return out;
    }

    /** Percent-decoding of a path segment ('+' stays '+'). */
    static String decode(String segment) {
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return segment;
        }
    }
}
