package dev.dispatch.api;

import dev.dispatch.adapter.config.ConfigFiles;
import dev.dispatch.adapter.dynamodb.DynamoDbProviderControl;
import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.routing.DeliveryRules;
import dev.dispatch.domain.routing.ProviderControl;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The providers' configuration files (validated at start) and their shared control state, for /system/providers. */
public class ProviderWiring {

    @Produces
    @Singleton
    @Startup
    ProviderCatalog providerCatalog() {
        return ConfigFiles.providers();
    }

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
