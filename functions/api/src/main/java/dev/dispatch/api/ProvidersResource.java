package dev.dispatch.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.NotFoundException;
import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.config.ProviderSettings;
import dev.dispatch.domain.engagement.DeliveryStats;
import dev.dispatch.domain.routing.DeliveryRules;
import dev.dispatch.domain.routing.ProviderControl;
import dev.dispatch.domain.routing.ProviderHealth;
import dev.dispatch.domain.routing.ProviderOverride;
import dev.dispatch.domain.routing.Reputation;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * Providers as send-batch sees them (circuit breaker, reputation and its inputs, configured limits, weights, overrides,
 * failovers), and the operators' run-time overrides of {@code enabled} and {@code weight}: each change is recorded with
 * the API key that made it and when, before it takes effect. send-batch picks a change up within its routing refresh
 * (a few seconds).
 */
@Path("/system/providers")
@Tag(name = "System")
@Produces(MediaType.APPLICATION_JSON)
public class ProvidersResource {
    private static final Logger LOG = Logger.getLogger(ProvidersResource.class);
    private static final int AUDIT_SHOWN = 20;

    private final ProviderCatalog catalog;
    private final DeliveryRules rules;
    private final ProviderControl control;
    private final DeliveryStats stats;
    private final Clock clock;

    public ProvidersResource(ProviderCatalog catalog, DeliveryRules rules, ProviderControl control, DeliveryStats stats,
            Clock clock) {
        this.catalog = catalog;
        this.rules = rules;
        this.control = control;
        this.stats = stats;
        this.clock = clock;
    }

    @GET
    @Operation(summary = "Every provider's health, reputation, configuration, overrides and recent failovers",
            description = "Per provider: enabled and weight in effect (configured value, then the operator's override), the "
                    + "configured rate, daily quota, batch size and IP pools; the circuit breaker shared by every send-batch "
                    + "(closed, open or half-open; calls, failures and failovers in its rolling window); the reputation "
                    + "(0-100, neutral 50 under 50 sent) with the last 7 days' figures it comes from, and reputation.byDomain: "
                    + "the same per mailbox operator (gmail.com, outlook.com, yahoo.com, icloud.com, ...) where the provider "
                    + "sent at least 100 there, which a best-reputation tier uses for recipients there; failovers (recipients "
                    + "moved away after the provider failed). Also the breaker settings and the latest override changes.")
    public Map<String, Object> list() {
        Instant now = clock.instant();
        ProviderControl.Snapshot shared = control.read(ProviderCatalog.KNOWN, now, rules.breaker().window());
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        List<DeliveryStats.Day> days = stats.days(today.minusDays(Reputation.DAYS - 1), today);
        List<Map<String, Object>> providers = new ArrayList<>();
        for (String name : ProviderCatalog.KNOWN.stream().sorted().toList()) {
            providers.add(view(name, shared, days));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("providers", providers);
        DeliveryRules.Breaker b = rules.breaker();
        body.put("breaker", Map.of("windowSeconds", b.window().toSeconds(), "minimumCalls", b.minimumCalls(),
                "failurePercent", b.failurePercent(), "openSeconds", b.openFor().toSeconds()));
        body.put("changes", control.audit(AUDIT_SHOWN).stream().map(ProvidersResource::change).toList());
        return body;
    }

    @PUT
    @Path("/{provider}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Override a provider's enabled flag and/or weight at run time (audited)",
            description = "Body: {\"enabled\": true|false, \"weight\": 0..1000}, at least one of them. The change is recorded "
                    + "(which API key, when) before it applies; send-batch uses it within seconds. enabled=false takes the "
                    + "provider out of selection; weight 0 gives it no weighted traffic (rules and tiers may still pick it).")
    @RequestBody(content = @Content(schema = @Schema(example = "{\"enabled\": false, \"weight\": 10}")))
    public Map<String, Object> override(@PathParam("provider") String provider, JsonNode body,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        if (!ProviderCatalog.KNOWN.contains(provider)) {
            throw new NotFoundException("no provider " + provider + " (known: postmark, sendgrid, ses)");
        }
        if (body == null || !body.isObject()) {
            throw new InvalidInputException("body", "must be a JSON object such as {\"enabled\": false}");
        }
        Boolean enabled = null;
        Integer weight = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = field.getValue();
            switch (field.getKey()) {
                case "enabled" -> {
                    if (!value.isBoolean()) {
                        throw new InvalidInputException("enabled", "must be true or false");
                    }
                    enabled = value.booleanValue();
                }
                case "weight" -> {
                    if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0
                            || value.intValue() > ProviderOverride.MAX_WEIGHT) {
                        throw new InvalidInputException("weight", "must be a whole number from 0 to " + ProviderOverride.MAX_WEIGHT);
                    }
                    weight = value.intValue();
                }
                default -> throw new InvalidInputException(field.getKey(), "unknown field (known: enabled, weight)");
            }
        }
        if (enabled == null && weight == null) {
            throw new InvalidInputException("body", "give enabled, weight or both");
        }
        String by = ApiKeyFilter.keyId(authorization);
        ProviderOverride applied = control.override(new ProviderOverride(provider, enabled, weight, clock.instant(), by));
        LOG.infof("provider %s overridden by %s: enabled=%s weight=%s", provider, by, enabled, weight);
        Instant now = clock.instant();
        ProviderControl.Snapshot shared = control.read(List.of(provider), now, rules.breaker().window());
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Map<String, Object> view = view(provider, shared, stats.days(today.minusDays(Reputation.DAYS - 1), today));
        view.put("override", override(applied));
        return view;
    }

    @DELETE
    @Path("/{provider}/override")
    @Operation(summary = "Remove a provider's run-time override (audited): its configured enabled flag and weight apply again",
            description = "The removal is recorded like any change (which API key, when); send-batch uses the configured "
                    + "values within seconds. Answers the provider's view, as GET /system/providers shows it.")
    public Map<String, Object> clearOverride(@PathParam("provider") String provider,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        if (!ProviderCatalog.KNOWN.contains(provider)) {
            throw new NotFoundException("no provider " + provider + " (known: postmark, sendgrid, ses)");
        }
        String by = ApiKeyFilter.keyId(authorization);
        control.override(ProviderOverride.clear(provider, clock.instant(), by));
        LOG.infof("provider %s override removed by %s", provider, by);
        Instant now = clock.instant();
        ProviderControl.Snapshot shared = control.read(List.of(provider), now, rules.breaker().window());
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        return view(provider, shared, stats.days(today.minusDays(Reputation.DAYS - 1), today));
    }

    private Map<String, Object> view(String name, ProviderControl.Snapshot shared, List<DeliveryStats.Day> days) {
        ProviderOverride o = shared.overrides().get(name);
        if (o != null && o.clears()) {
            o = null; // removed: the item stays only to say who removed it
        }
        ProviderSettings settings = catalog.get(name).orElse(null);
        boolean configuredEnabled = settings != null && settings.enabled();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", name);
        v.put("enabled", o != null && o.enabled() != null ? o.enabled() : configuredEnabled);
        v.put("weight", o != null && o.weight() != null ? o.weight() : rules.weight(name));
        Map<String, Object> configured = new LinkedHashMap<>();
        configured.put("enabled", configuredEnabled);
        configured.put("weight", rules.weight(name));
        if (settings != null) {
            configured.put("ratePerSecond", settings.ratePerSecond());
            configured.put("dailyQuota", settings.dailyQuota());
            configured.put("batchSize", settings.batchSize());
            configured.put("ipPools", settings.ipPools());
        }
        v.put("configured", configured);
        v.put("override", o == null ? null : override(o));
        ProviderHealth h = shared.health(name);
        Map<String, Object> circuit = new LinkedHashMap<>();
        circuit.put("state", h.state().wireName());
        circuit.put("openedAt", h.openedAt());
        circuit.put("probeUntil", h.probeUntil());
        circuit.put("windowCalls", h.windowCalls());
        circuit.put("windowFailures", h.windowFailures());
        circuit.put("opens", h.opens());
        v.put("circuit", circuit);
        Reputation r = Reputation.of(name, days);
        Map<String, Object> reputation = new LinkedHashMap<>();
        reputation.put("score", r.score());
        reputation.put("neutral", r.neutral());
        reputation.put("days", Reputation.DAYS);
        reputation.put("sent", r.sent());
        reputation.put("delivered", r.delivered());
        reputation.put("bounced", r.bounced());
        reputation.put("complained", r.complained());
        reputation.put("opened", r.opened());
        reputation.put("bounceRate", r.bounceRate());
        reputation.put("complaintRate", r.complaintRate());
        reputation.put("openRate", r.openRate());
        // Per mailbox operator where the provider sent enough lately: what a best-reputation tier compares for a
        // recipient there instead of the score above (see Reputation.byDomain).
        Map<String, Object> byDomain = new LinkedHashMap<>();
        Reputation.byDomain(name, days).forEach((group, d) -> {
            Map<String, Object> at = new LinkedHashMap<>();
            at.put("score", d.score());
            at.put("sent", d.sent());
            at.put("delivered", d.delivered());
            at.put("bounced", d.bounced());
            at.put("complained", d.complained());
            at.put("opened", d.opened());
            at.put("bounceRate", d.bounceRate());
            at.put("complaintRate", d.complaintRate());
            at.put("openRate", d.openRate());
            byDomain.put(group, at);
        });
        reputation.put("byDomain", byDomain);
        v.put("reputation", reputation);
        Map<String, Object> failovers = new LinkedHashMap<>();
        failovers.put("inWindow", h.windowFailovers());
        failovers.put("total", h.failoversTotal());
        failovers.put("lastAt", h.lastFailoverAt());
        v.put("failovers", failovers);
        return v;
    }

    private static Map<String, Object> override(ProviderOverride o) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("enabled", o.enabled());
        v.put("weight", o.weight());
        v.put("at", o.at());
        v.put("by", o.by());
        return v;
    }

    private static Map<String, Object> change(ProviderOverride o) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("provider", o.provider());
        v.putAll(override(o));
        v.put("cleared", o.clears());
        return v;
    }
}
