package dev.dispatch.warming;

import dev.dispatch.adapter.config.ConfigFiles;
import dev.dispatch.adapter.dynamodb.DynamoDbDeliveryStats;
import dev.dispatch.adapter.dynamodb.DynamoDbWarmingStore;
import dev.dispatch.domain.warming.WarmingConfig;
import dev.dispatch.domain.warming.WarmingTicker;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Builds the ticker once per container; the shipped warming.yaml is validated at start (a bad file fails fast). */
public class Wiring {

    /**
     * @param testFile a warming.yaml on disk instead of the shipped one: defined under the Quarkus test profile only
     *     ({@code %test.} in application.properties), so a deployed function always runs the shipped file
     */
    @Produces
    @Singleton
    @Startup
    WarmingConfig warmingConfig(@ConfigProperty(name = "dispatch.warming.test.config-file") Optional<String> testFile) {
        return testFile.filter(f -> !f.isBlank()).map(f -> ConfigFiles.warming(Path.of(f))).orElseGet(ConfigFiles::warming);
    }

    @Produces
    @Singleton
    WarmingTicker ticker(DynamoDbClient dynamoDb, WarmingConfig config,
            @ConfigProperty(name = "dispatch.tables.control") String control,
            @ConfigProperty(name = "dispatch.tables.counters") String counters) {
        return new WarmingTicker(config, new DynamoDbWarmingStore(dynamoDb, control),
                new DynamoDbDeliveryStats(dynamoDb, counters), Clock.systemUTC());
    }
}
