package dev.dispatch.api;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.campaign.AbTest;
import dev.dispatch.domain.campaign.Campaign;
import dev.dispatch.domain.campaign.CampaignService;
import dev.dispatch.domain.campaign.CampaignStatus;
import dev.dispatch.domain.campaign.SendTime;
import dev.dispatch.domain.campaign.WavePlan;
import dev.dispatch.domain.analytics.CampaignStats;
import dev.dispatch.domain.content.CampaignContentCheck;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/campaigns")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Campaigns")
@SecurityRequirement(name = "apiKey")
public class CampaignResource {
    private final CampaignService campaigns;
    private final CampaignContentCheck content;
    private final WavePlan waves;

    public CampaignResource(CampaignService campaigns, CampaignContentCheck content, WavePlan waves) {
        this.campaigns = campaigns;
        this.content = content;
        this.waves = waves;
    }

    /** The A/B test's stored JSON and the stats body's decision are read and written by Jackson. */
    @io.quarkus.runtime.annotations.RegisterForReflection(targets = {dev.dispatch.domain.campaign.AbTest.class,
            dev.dispatch.domain.campaign.AbTest.Metric.class, dev.dispatch.domain.campaign.AbTestDecision.class,
            dev.dispatch.domain.campaign.AbTestDecision.Arm.class, dev.dispatch.domain.campaign.AbTestDecision.Comparison.class,
            SendTime.class, SendTime.Mode.class})
    static final class AbTestJson {
        private AbTestJson() {}
    }

    /** force: send even though the content check scores at or above the threshold. */
    public record SendInput(String sendAt, Boolean force) {}

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a campaign (draft)", description = "Templates are compiled now: a syntax error is "
            + "refused with its line and column.")
    public Response create(CampaignInput input) {
        if (input == null) {
            throw new InvalidInputException("body", "is empty; send a JSON object");
        }
        return Response.status(201).entity(view(campaigns.create(input.draft()))).build();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Read a campaign with its live progress")
    public Map<String, Object> get(@PathParam("id") String id) {
        return view(campaigns.get(id));
    }

    @POST
    @Path("/{id}/check")
    @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
    @Operation(summary = "Check the campaign's content", description = "The content check of POST /content/check "
            + "for the campaign and each A/B variant, rendered for a sample recipient; the campaign scores as its "
            + "worst variant; with the From domain's authentication as in POST /content/check (dkimSelectors: "
            + "comma-separated). A campaign at or above the threshold is not sent unless the send request says force.")
    public Map<String, Object> check(@PathParam("id") String id, @QueryParam("dkimSelectors") String dkimSelectors) {
        List<String> selectors = dkimSelectors == null ? List.of()
                : Arrays.stream(dkimSelectors.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        return ContentResource.view(content.checkWithSender(campaigns.get(id), selectors));
    }

    @POST
    @Path("/{id}/send")
    @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
    @Operation(summary = "Send now, or at sendAt (ISO-8601 instant)", description = "Refused (422, with the "
            + "findings) when the content check scores at or above the threshold, unless force is true.")
    public Map<String, Object> send(@PathParam("id") String id, SendInput input) {
        Instant at = null;
        if (input != null && input.sendAt() != null && !input.sendAt().isBlank()) {
            try {
                at = Instant.parse(input.sendAt().strip());
            } catch (DateTimeParseException e) {
                throw new InvalidInputException("sendAt", "must be an ISO-8601 instant such as 2026-12-01T09:00:00Z");
            }
        }
        content.beforeSend(campaigns.get(id), input != null && Boolean.TRUE.equals(input.force()));
        return view(campaigns.send(id, at));
    }

    @POST
    @Path("/{id}/pause")
    @Operation(summary = "Pause: batches not yet sent wait until resume")
    public Map<String, Object> pause(@PathParam("id") String id) {
        return view(campaigns.pause(id));
    }

    @POST
    @Path("/{id}/resume")
    @Operation(summary = "Resume a paused campaign where it stopped")
    public Map<String, Object> resume(@PathParam("id") String id) {
        return view(campaigns.resume(id));
    }

    @POST
    @Path("/{id}/cancel")
    @Operation(summary = "Cancel for good: recipients not yet sent are recorded as cancelled")
    public Map<String, Object> cancel(@PathParam("id") String id) {
        return view(campaigns.cancel(id));
    }

    @GET
    @Path("/{id}/stats")
    @Operation(summary = "Delivery and engagement counts and rates so far", description = "counts: the send path's "
            + "(recipients, sent, rejected, suppressed, skipped, cancelled, unknown) and the providers' events (delivered, "
            + "opened, clicked, bounced, softBounced, complained, unsubscribed, and unique* once per recipient). rates: "
            + "deliveryRate = delivered/sent, openRate = uniqueOpened/delivered, clickRate = uniqueClicked/delivered, "
            + "clickToOpenRate = uniqueClicked/uniqueOpened, bounceRate = (bounced+softBounced)/sent, complaintRate and "
            + "unsubscribeRate = complained and unsubscribed/delivered (0 when the base is 0). variants: the same per A/B variant. "
            + "providers: per provider, recipients by fate (sent, rejected, unknown). routes: recipients by why their provider "
            + "was chosen (rule:<domain>, tier:<name>, tier:<name>;domain:<group> when reputations at the recipient's "
            + "mailbox operator were compared, weight, order, warming-overflow:<plan>, failover:<provider>). domains: per "
            + "recipient domain group (the mailbox operator: gmail.com covers googlemail.com, outlook.com covers "
            + "hotmail/live/msn, yahoo.com covers aol/ymail, icloud.com covers me.com/mac.com, ...; every other domain is "
            + "'other'), the send path's fates and the providers' events with their unique* counts. abTest (a campaign with an A/B test "
            + "that decides): its settings, phase (sampling, waiting, decided), decideAt, and the decision: winner (null "
            + "when none was significant), sendTo, fallbackUsed, reason, leader, z, pValue, confidence, requiredPValue, and "
            + "per variant sent, base, successes and rate.")
    public Map<String, Object> stats(@PathParam("id") String id) {
        Campaign c = campaigns.get(id);
        Map<String, Object> body = new LinkedHashMap<>(CampaignStats.view(c, campaigns.counters(id),
                campaigns.abTestState(id)));
        if (c.sendTime() != null) {
            body.put("sendTime", sendTimeView(c));
        }
        return body;
    }

    /**
     * The send-time settings and the planned waves: each one's instant (UTC), recipients and state (scheduled,
     * enqueued with enqueuedAt, paused, cancelled). No waves yet: the audience is still being planned.
     */
    private Map<String, Object> sendTimeView(Campaign c) {
        SendTime t = c.sendTime();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("mode", t.mode().wireName());
        view.put("hour", t.hour());
        view.put("minute", t.minute());
        view.put("defaultZone", t.defaultZone());
        WavePlan.Progress plan = waves.progress(c.id());
        view.put("planStartedAt", plan.start());
        view.put("planned", plan.collected());
        List<Map<String, Object>> list = new java.util.ArrayList<>();
        for (WavePlan.Wave w : plan.waves()) {
            Map<String, Object> wave = new LinkedHashMap<>();
            wave.put("at", w.at());
            wave.put("recipients", w.recipients());
            String state = w.enqueuedAt() != null ? "enqueued"
                    : c.status() == CampaignStatus.CANCELLED ? "cancelled"
                    : c.status() == CampaignStatus.PAUSED ? "paused" : "scheduled";
            wave.put("state", state);
            wave.put("enqueuedAt", w.enqueuedAt());
            list.add(wave);
        }
        view.put("waves", list);
        return view;
    }

    private Map<String, Object> view(Campaign c) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", c.id());
        body.put("name", c.name());
        body.put("status", c.status().wireName());
        body.put("fromEmail", c.fromEmail());
        body.put("fromName", c.fromName());
        body.put("replyTo", c.replyTo());
        body.put("subject", c.content().subject());
        body.put("preheader", c.content().preheader());
        body.put("html", c.content().html());
        body.put("text", c.content().text());
        body.put("segments", c.segments());
        body.put("excludedSegments", c.excludedSegments());
        body.put("variants", c.variants());
        body.put("providers", c.providers());
        if (c.abTest() != null) {
            AbTest t = c.abTest();
            Map<String, Object> abTest = new LinkedHashMap<>();
            abTest.put("samplePercent", t.samplePercent());
            abTest.put("waitMinutes", t.waitMinutes());
            abTest.put("metric", t.metric().wireName());
            abTest.put("minSamplePerVariant", t.minSamplePerVariant());
            abTest.put("confidence", t.confidence());
            abTest.put("fallback", t.fallback());
            body.put("abTest", abTest);
        }
        if (c.sendTime() != null) {
            body.put("sendTime", sendTimeView(c));
        }
        body.put("sendAt", c.sendAt());
        body.put("createdAt", c.createdAt());
        body.put("updatedAt", c.updatedAt());
        Map<String, Object> progress = new LinkedHashMap<>();
        progress.put("batchesEnqueued", c.progress().nextBatch());
        progress.put("enqueueComplete", c.progress().complete());
        progress.put("counts", campaigns.counters(c.id()));
        body.put("progress", progress);
        return body;
    }
}
