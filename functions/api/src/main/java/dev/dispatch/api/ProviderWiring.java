package dev.dispatch.api;

import dev.dispatch.adapter.config.ConfigFiles;
import dev.dispatch.adapter.dynamodb.DynamoDbProviderControl;
import dev.dispatch.domain.routing.DeliveryRules;
import dev.dispatch.domain.routing.ProviderControl;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The delivery rules (validated at start) and the providers' shared control state, for /system/providers; the
 * providers' settings come from {@link Wiring#providerCatalog}.
 */
public class ProviderWiring {

    @Produces
    @Singleton
    @Startup
    DeliveryRules deliveryRules() {
        return ConfigFiles.deliveryRules();
    }

    @Produces
    @Singleton
    ProviderControl providerControl(DynamoDbClient dynamoDb, ApiConfig config) {
        return new DynamoDbProviderControl(dynamoDb, config.tables().control());
    }
}
