package dev.dispatch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.adapter.config.ConfigFiles;
import dev.dispatch.domain.config.ConfigException;
import dev.dispatch.domain.config.ProviderCatalog;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProviderConfigTest {
    @Test
    void theShippedFileIsValid() {
        ProviderCatalog catalog = ConfigFiles.providers();
        assertEquals(ProviderCatalog.KNOWN, catalog.all().stream().map(p -> p.name()).collect(java.util.stream.Collectors.toSet()));
        assertTrue(catalog.require("ses").ratePerSecond() > 0);
    }

    @Test
    void aBatchSizeOverTheProvidersLimitNamesTheField() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("""
                providers:
                  postmark: { ratePerSecond: 10, dailyQuota: 100, batchSize: 501 }
                """));
        assertEquals("providers.yaml", e.file());
        assertEquals("providers.postmark.batchSize", e.field());
        assertTrue(e.problem().contains("500"), e.getMessage());
    }

    @Test
    void aMisspeltFieldIsAnErrorNotIgnored() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("""
                providers:
                  ses: { ratePerSecond: 10, dailyQuota: 100, batchSize: 50, enabeld: false }
                """));
        assertTrue(e.field().startsWith("providers.ses"), e.getMessage());
        assertTrue(e.getMessage().contains("enabeld"), e.getMessage());
    }

    @Test
    void aMissingRateAndAWrongTypeNameTheirFields() {
        assertEquals("providers.ses.ratePerSecond", assertThrows(ConfigException.class, () -> load("""
                providers:
                  ses: { dailyQuota: 100, batchSize: 50 }
                """)).field());
        assertEquals("providers.ses.dailyQuota", assertThrows(ConfigException.class, () -> load("""
                providers:
                  ses: { ratePerSecond: 10, dailyQuota: lots, batchSize: 50 }
                """)).field());
        assertEquals("providers.mailgun", assertThrows(ConfigException.class, () -> load("""
                providers:
                  mailgun: { ratePerSecond: 10, dailyQuota: 100, batchSize: 50 }
                """)).field());
    }

    private static ProviderCatalog load(String yaml) {
        return ConfigFiles.providers(ConfigFiles.parse("providers.yaml",
                new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))));
    }
}
