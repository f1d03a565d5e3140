package dev.dispatch.domain.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.config.ProviderSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderAvailabilityTest {
    private static final Instant NOW = Instant.parse("2032-05-03T12:00:00Z");

    private static ProviderCatalog catalog(boolean sesEnabled) {
        return ProviderCatalog.of(List.of(
                new ProviderSettings("ses", 14, 50_000, 50, sesEnabled, List.of("ses-shared")),
                new ProviderSettings("sendgrid", 100, 100_000, 1000, true, List.of("sendgrid-shared")),
                new ProviderSettings("postmark", 50, 100_000, 500, true, List.of("postmark-broadcast"))));
    }

    @Test
    void givenAnOpenAndAHalfOpenBreaker_whenAsked_thenOnlyClosedProvidersAreHealthyInTheGivenOrder() {
        InMemoryProviderControl control = new InMemoryProviderControl();
        control.health.put("ses", new ProviderHealth("ses", CircuitState.OPEN, NOW, null, null, 10, 10, 0, 1, 0, null));
        control.health.put("postmark", new ProviderHealth("postmark", CircuitState.HALF_OPEN, NOW, "x", NOW, 0, 0, 0, 1, 0, null));
        ProviderAvailability availability = ProviderAvailability.shared(catalog(true), control, Duration.ofMinutes(5));

        assertEquals(List.of("sendgrid"), availability.healthy(List.of("postmark", "ses", "sendgrid"), NOW));
        assertEquals(1, control.reads, "one read of the shared state per question");
    }

    @Test
    void givenDisabledByConfigurationAndEnabledByOverride_whenAsked_thenTheOverrideWins() {
        InMemoryProviderControl control = new InMemoryProviderControl();
        ProviderAvailability availability = ProviderAvailability.shared(catalog(false), control, Duration.ofMinutes(5));
        assertEquals(List.of("sendgrid"), availability.healthy(List.of("ses", "sendgrid"), NOW));

        control.override(new ProviderOverride("ses", true, null, NOW, "key-1"));
        control.override(new ProviderOverride("sendgrid", false, null, NOW, "key-1"));
        assertEquals(List.of("ses"), availability.healthy(List.of("ses", "sendgrid"), NOW));
    }
}
