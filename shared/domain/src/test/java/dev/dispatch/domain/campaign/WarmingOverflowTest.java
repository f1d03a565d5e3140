package dev.dispatch.domain.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.config.ProviderSettings;
import dev.dispatch.domain.routing.ProviderAvailability;
import dev.dispatch.domain.warming.InMemoryWarmingStore;
import dev.dispatch.domain.warming.PlanState;
import dev.dispatch.domain.warming.PlanStatus;
import dev.dispatch.domain.warming.SendingHours;
import dev.dispatch.domain.warming.WarmingConfig;
import dev.dispatch.domain.warming.WarmingPlan;
import dev.dispatch.domain.warming.WarmingSchedule;
import dev.dispatch.domain.warming.WarmingThresholds;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Where the recipients over a route plan's allowance go: the campaign's other healthy, not out-of-allowance providers. */
class WarmingOverflowTest {
    private static final LocalDate DAY = LocalDate.parse("2032-05-03");
    /** The end of the sending hours: each plan's whole day-1 volume is released. */
    private static final Instant NOW = DAY.atTime(20, 0).toInstant(ZoneOffset.UTC);
    private static final ProviderCatalog CATALOG = ProviderCatalog.of(List.of(
            new ProviderSettings("ses", 14, 50_000, 50, true, List.of("ses-shared")),
            new ProviderSettings("sendgrid", 100, 100_000, 1000, true, List.of("sendgrid-shared")),
            new ProviderSettings("postmark", 50, 100_000, 500, true, List.of("postmark-broadcast"))));
    private static final WarmingSchedule SCHEDULE = new WarmingSchedule("small", WarmingSchedule.Unit.DAY, List.of(4L, 8L));

    private static WarmingPlan plan(String name, String provider, String pool, WarmingPlan.OverAllowance over) {
        return new WarmingPlan(name, provider, pool, SCHEDULE, true, new SendingHours(8, 20), WarmingThresholds.DEFAULT,
                WarmingPlan.OnWarning.HOLD, over, 3);
    }

    private static final WarmingPlan POSTMARK = plan("pm", "postmark", "postmark-broadcast", WarmingPlan.OverAllowance.ROUTE);
    private static final WarmingPlan SENDGRID = plan("sg", "sendgrid", "sendgrid-shared", WarmingPlan.OverAllowance.DEFER);

    private final InMemoryWarmingStore store = new InMemoryWarmingStore();

    private WarmingOverflow overflow(ProviderAvailability availability, WarmingPlan... plans) {
        return new WarmingOverflow(WarmingConfig.of(List.of(SCHEDULE), List.of(plans), CATALOG), store, availability);
    }

    private static int total(List<WarmingOverflow.Share> shares) {
        return shares.stream().mapToInt(WarmingOverflow.Share::count).sum();
    }

    @Test
    void givenWarmProvidersPinnedAfterTheWarmingOne_whenOverTheAllowance_thenAllGoThroughTheNextInTheCampaignsOrder() {
        List<WarmingOverflow.Share> shares = overflow(ProviderAvailability.ALL, POSTMARK)
                .place(List.of("postmark", "ses", "sendgrid"), POSTMARK, 7, NOW);
        assertEquals(List.of(new WarmingOverflow.Share(7, new OverflowRoute("pm", List.of("ses", "sendgrid")))), shares);
        assertEquals("warming-overflow:pm", shares.get(0).overflow().reason());
    }

    @Test
    void givenOnlyTheWarmingProviderPinned_whenOverTheAllowance_thenNothingIsPlacedAndTheyWait() {
        assertEquals(List.of(), overflow(ProviderAvailability.ALL, POSTMARK).place(List.of("postmark"), POSTMARK, 7, NOW));
    }

    @Test
    void givenNoPinnedProviders_whenOverTheAllowance_thenAnyOtherProviderMayTakeThem() {
        List<WarmingOverflow.Share> shares = overflow(ProviderAvailability.ALL, POSTMARK).place(List.of(), POSTMARK, 3, NOW);
        assertEquals(1, shares.size());
        assertEquals(Set.of("ses", "sendgrid"), Set.copyOf(shares.get(0).overflow().providers()));
        assertTrue(!shares.get(0).overflow().providers().contains("postmark"), "never the warming provider");
    }

    @Test
    void givenAnUnhealthyOrDisabledProvider_whenOverTheAllowance_thenItIsSkipped() {
        List<String> asked = new ArrayList<>();
        ProviderAvailability sesDown = (providers, now) -> {
            asked.addAll(providers);
            return providers.stream().filter(p -> !p.equals("ses")).toList();
        };
        List<WarmingOverflow.Share> shares = overflow(sesDown, POSTMARK).place(List.of("postmark", "ses", "sendgrid"), POSTMARK, 5, NOW);
        assertEquals(List.of(new WarmingOverflow.Share(5, new OverflowRoute("pm", List.of("sendgrid")))), shares);
        assertEquals(List.of("ses", "sendgrid"), asked, "the warming provider is not even asked about");

        ProviderAvailability noneHealthy = (providers, now) -> List.of();
        assertEquals(List.of(), overflow(noneHealthy, POSTMARK).place(List.of("postmark", "ses"), POSTMARK, 5, NOW));
    }

    @Test
    void givenTheOtherProviderWarmingToo_whenOverTheAllowance_thenItTakesOnlyItsOwnAllowanceAndAWarmOneTheRest() {
        WarmingOverflow overflow = overflow(ProviderAvailability.ALL, POSTMARK, SENDGRID);
        List<WarmingOverflow.Share> shares = overflow.place(List.of("postmark", "sendgrid", "ses"), POSTMARK, 10, NOW);
        // sendgrid's day 1 is 4 (not ticked yet: day 1); ses has no plan.
        assertEquals(List.of(new WarmingOverflow.Share(4, new OverflowRoute("pm", List.of("sendgrid", "ses"))),
                new WarmingOverflow.Share(6, new OverflowRoute("pm", List.of("ses")))), shares);
        assertEquals(4, store.used("sg", DAY), "reserved from sendgrid's own plan");
        assertEquals(0, store.used("pm", DAY), "nothing taken from the plan being overflowed");

        // sendgrid's day is used up now: all to ses.
        assertEquals(List.of(new WarmingOverflow.Share(3, new OverflowRoute("pm", List.of("ses")))),
                overflow.place(List.of("postmark", "sendgrid", "ses"), POSTMARK, 3, NOW));
        // Without ses, nobody may take them.
        assertEquals(List.of(), overflow.place(List.of("postmark", "sendgrid"), POSTMARK, 3, NOW));
        assertEquals(4, store.used("sg", DAY));
    }

    @Test
    void givenTheOtherProvidersPlanPausedOrWarm_whenOverTheAllowance_thenPausedTakesNothingAndWarmTakesAll() {
        WarmingOverflow overflow = overflow(ProviderAvailability.ALL, POSTMARK, SENDGRID);
        assertTrue(store.save(new PlanState("sg", PlanStatus.PAUSED, 1, DAY, null, List.of(), 0)));
        assertEquals(List.of(), overflow.place(List.of("postmark", "sendgrid"), POSTMARK, 3, NOW));

        PlanState paused = store.find("sg").orElseThrow();
        assertTrue(store.save(paused.with(PlanStatus.WARM, 3, DAY, null)));
        assertEquals(total(overflow.place(List.of("postmark", "sendgrid"), POSTMARK, 30, NOW)), 30);
        assertEquals(0, store.used("sg", DAY), "a warm plan caps nothing: nothing reserved");
    }
}
