package dev.dispatch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.adapter.config.ConfigFiles;
import dev.dispatch.domain.config.ConfigException;
import dev.dispatch.domain.routing.DeliveryRules;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryRulesConfigTest {
    private static final String VALID_REST = """
            weights: { ses: 50, sendgrid: 30, postmark: 20 }
            """;

    @Test
    void theShippedFileIsValid() {
        DeliveryRules rules = ConfigFiles.deliveryRules();
        assertEquals(List.of("sendgrid", "ses"), rules.ruleFor("GoogleMail.com").orElseThrow().providers());
        assertTrue(rules.ruleFor("hotmail.com").isPresent());
        assertTrue(rules.ruleFor("aol.com").isPresent());
        assertEquals("engaged", rules.tierFor(5).orElseThrow().name());
        assertTrue(rules.tierFor(4.9).isEmpty());
        assertEquals(50, rules.weight("ses"));
        assertEquals(new DeliveryRules.Breaker(Duration.ofSeconds(60), 3, 50, Duration.ofSeconds(30)), rules.breaker());
    }

    @Test
    void aMisspeltFieldIsAnErrorNotIgnored() {
        ConfigException top = assertThrows(ConfigException.class, () -> load("wieghts: { ses: 1 }\n" + VALID_REST));
        assertEquals("delivery-rules.yaml", top.file());
        assertEquals("wieghts", top.field());
        ConfigException nested = assertThrows(ConfigException.class, () -> load("""
                rules:
                  - { domains: [gmail.com], provider: [ses] }
                """ + VALID_REST));
        assertTrue(nested.field().startsWith("rules[0]"), nested.getMessage());
        assertTrue(nested.getMessage().contains("provider"), nested.getMessage());
        ConfigException breaker = assertThrows(ConfigException.class, () -> load(VALID_REST + "breaker: { openSecs: 3 }\n"));
        assertTrue(breaker.field().startsWith("breaker"), breaker.getMessage());
    }

    @Test
    void anUnknownProviderIsNamedWithItsField() {
        ConfigException rule = assertThrows(ConfigException.class, () -> load("""
                rules:
                  - { domains: [gmail.com], providers: [ses, mailgun] }
                """ + VALID_REST));
        assertEquals("rules[0].providers", rule.field());
        assertTrue(rule.problem().contains("mailgun"), rule.getMessage());
        ConfigException weight = assertThrows(ConfigException.class, () -> load("weights: { ses: 1, pigeon: 2 }\n"));
        assertEquals("weights.pigeon", weight.field());
        ConfigException tier = assertThrows(ConfigException.class, () -> load("""
                tiers:
                  - { name: engaged, minEngagementScore: 5, providers: best-reputations }
                """ + VALID_REST));
        assertEquals("tiers[0].providers", tier.field());
    }

    @Test
    void aNegativeWeightOrScoreAndBadBreakerValuesAreRefused() {
        ConfigException weight = assertThrows(ConfigException.class, () -> load("weights: { ses: -1, postmark: 2 }\n"));
        assertEquals("weights.ses", weight.field());
        assertTrue(weight.problem().contains("-1"), weight.getMessage());
        assertEquals("weights.ses", assertThrows(ConfigException.class, () -> load("weights: { ses: lots }\n")).field());
        assertEquals("weights", assertThrows(ConfigException.class, () -> load("weights: { ses: 0 }\n")).field());
        assertEquals("tiers[0].minEngagementScore", assertThrows(ConfigException.class, () -> load("""
                tiers:
                  - { name: engaged, minEngagementScore: -2, providers: [ses] }
                """ + VALID_REST)).field());
        assertEquals("breaker.failurePercent", assertThrows(ConfigException.class,
                () -> load(VALID_REST + "breaker: { failurePercent: 150 }\n")).field());
        assertEquals("breaker.minimumCalls", assertThrows(ConfigException.class,
                () -> load(VALID_REST + "breaker: { minimumCalls: 0 }\n")).field());
    }

    @Test
    void aDomainInTwoRulesOrNotADomainIsRefused() {
        assertTrue(assertThrows(ConfigException.class, () -> load("""
                rules:
                  - { domains: [gmail.com], providers: [ses] }
                  - { domains: [Gmail.com], providers: [postmark] }
                """ + VALID_REST)).field().equals("rules[1].domains"));
        assertEquals("rules[0].domains", assertThrows(ConfigException.class, () -> load("""
                rules:
                  - { domains: [someone@gmail.com], providers: [ses] }
                """ + VALID_REST)).field());
    }

    @Test
    void missingWeightsAreRequired() {
        assertEquals("weights", assertThrows(ConfigException.class, () -> load("rules: []\n")).field());
    }

    private static DeliveryRules load(String yaml) {
        return ConfigFiles.deliveryRules(ConfigFiles.parse(DeliveryRules.FILE,
                new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))));
    }
}
