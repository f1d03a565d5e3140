package dev.dispatch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.adapter.config.ConfigFiles;
import dev.dispatch.domain.config.ConfigException;
import dev.dispatch.domain.warming.WarmingConfig;
import dev.dispatch.domain.warming.WarmingPlan;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class WarmingConfigTest {
    private static final String SCHEDULES = """
            schedules:
              product-default: { ramp: { from: 50, to: 3000, days: 30 } }
            """;

    @Test
    void theShippedFileIsValidAndChangesNothingUntilAPlanIsEnabled() {
        WarmingConfig config = ConfigFiles.warming();
        assertEquals(List.of(), config.enabledPlans(), "plans ship disabled: today's behaviour stays");
        assertEquals(List.of("ses-shared", "sendgrid-shared", "postmark-broadcast"),
                config.plans().stream().map(WarmingPlan::name).toList());
        var productDefault = config.schedule("product-default").orElseThrow();
        assertEquals(30, productDefault.days());
        assertEquals(50, productDefault.dailyVolume(1, 12));
        assertEquals(3000, productDefault.dailyVolume(30, 12));
        var sendgrid = config.schedule("sendgrid-automated").orElseThrow();
        assertEquals(20, sendgrid.volumes().get(0));
        assertEquals(23427, sendgrid.volumes().get(21));
        WarmingPlan ses = config.plan("ses-shared").orElseThrow();
        assertEquals(0.05, ses.thresholds().pauseBounceRate());
        assertEquals(0.001, ses.thresholds().pauseComplaintRate());
        assertEquals(12, ses.sendingHours().hoursPerDay());
        assertEquals(WarmingPlan.OnWarning.STEP_BACK, config.plan("sendgrid-shared").orElseThrow().onWarning());
        assertEquals(WarmingPlan.OverAllowance.ROUTE, config.plan("sendgrid-shared").orElseThrow().overAllowance());
    }

    @Test
    void aPlanOnAPoolTheProviderDoesNotHaveNamesTheField() {
        ConfigException e = assertThrows(ConfigException.class, () -> load(SCHEDULES + """
                plans:
                  p1: { enabled: true, provider: ses, ipPool: ses-dedicated-1, schedule: product-default }
                """));
        assertEquals("warming.yaml", e.file());
        assertEquals("plans.p1.ipPool", e.field());
        assertTrue(e.problem().contains("ses-shared"), e.getMessage());
    }

    @Test
    void badValuesNameTheirFields() {
        assertEquals("plans.p1.schedule", assertThrows(ConfigException.class, () -> load(SCHEDULES + """
                plans:
                  p1: { provider: ses, ipPool: ses-shared, schedule: fastest }
                """)).field());
        assertEquals("plans.p1.thresholds.pauseBounceRate", assertThrows(ConfigException.class, () -> load(SCHEDULES + """
                plans:
                  p1: { provider: ses, ipPool: ses-shared, schedule: product-default, thresholds: { pauseBounceRate: 5 } }
                """)).field());
        assertEquals("plans.p1.thresholds.warningBounceRate", assertThrows(ConfigException.class, () -> load(SCHEDULES + """
                plans:
                  p1: { provider: ses, ipPool: ses-shared, schedule: product-default,
                        thresholds: { pauseBounceRate: 0.02, warningBounceRate: 0.03 } }
                """)).field());
        assertEquals("plans.p1.onWarning", assertThrows(ConfigException.class, () -> load(SCHEDULES + """
                plans:
                  p1: { provider: ses, ipPool: ses-shared, schedule: product-default, onWarning: panic }
                """)).field());
        assertEquals("plans.p1.sendingHours", assertThrows(ConfigException.class, () -> load(SCHEDULES + """
                plans:
                  p1: { provider: ses, ipPool: ses-shared, schedule: product-default, sendingHours: { fromHour: 20, toHour: 8 } }
                """)).field());
        assertEquals("plans.p1.provider", assertThrows(ConfigException.class, () -> load(SCHEDULES + """
                plans:
                  p1: { ipPool: ses-shared, schedule: product-default }
                """)).field());
        assertEquals("plans.P1", assertThrows(ConfigException.class, () -> load(SCHEDULES + """
                plans:
                  P1: { provider: ses, ipPool: ses-shared, schedule: product-default }
                """)).field());
        assertEquals("schedules.s.daily[1]", assertThrows(ConfigException.class, () -> load("""
                schedules:
                  s: { daily: [50, 0, 100] }
                """)).field());
        assertEquals("schedules.s", assertThrows(ConfigException.class, () -> load("""
                schedules:
                  s: { daily: [50], hourly: [20] }
                """)).field());
    }

    @Test
    void aMisspeltFieldIsAnErrorNotIgnored() {
        ConfigException e = assertThrows(ConfigException.class, () -> load(SCHEDULES + """
                plans:
                  p1: { provider: ses, ipPool: ses-shared, schedule: product-default, enabeld: true }
                """));
        assertTrue(e.field().startsWith("plans.p1"), e.getMessage());
        assertTrue(e.getMessage().contains("enabeld"), e.getMessage());
    }

    @Test
    void twoPlansOnOnePoolAreRefused_andDefaultsApply() {
        assertEquals("plans.p2.ipPool", assertThrows(ConfigException.class, () -> load(SCHEDULES + """
                plans:
                  p1: { provider: ses, ipPool: ses-shared, schedule: product-default }
                  p2: { provider: ses, ipPool: ses-shared, schedule: product-default }
                """)).field());
        WarmingPlan p = load(SCHEDULES + """
                plans:
                  p1: { provider: ses, ipPool: ses-shared, schedule: product-default }
                """).plan("p1").orElseThrow();
        assertFalse(p.enabled(), "a plan is enabled only when it says so");
        assertEquals(WarmingPlan.OnWarning.HOLD, p.onWarning());
        assertEquals(WarmingPlan.OverAllowance.DEFER, p.overAllowance());
        assertEquals(3, p.windowDays());
        assertEquals(24, p.sendingHours().hoursPerDay());
    }

    private static WarmingConfig load(String yaml) {
        return ConfigFiles.warming(ConfigFiles.parse("warming.yaml",
                new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))), ConfigFiles.providers());
    }
}
