package dev.dispatch.adapter.secrets;

import java.net.URI;
import java.util.Optional;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;

/** AWS Secrets Manager: the {@code AWSCURRENT} version of a secret's SecretString. */
public final class SecretsManagerReader implements SecretReader {
    private final SecretsManagerClient client;

    public SecretsManagerReader(SecretsManagerClient client) {
        this.client = client;
    }

    /**
     * The client a function builds once per container: region and credentials from the Lambda environment, the
     * endpoint overridden only for a local stand-in (the local stack's moto server).
     */
    public static SecretsManagerClient client(Optional<URI> endpointOverride) {
        SecretsManagerClientBuilder builder = SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create());
        endpointOverride.ifPresent(builder::endpointOverride);
        return builder.build();
    }

    @Override
    public String read(String secretId) {
        String value = client.getSecretValue(b -> b.secretId(secretId)).secretString();
        if (value == null) {
            throw new IllegalStateException("secret " + secretId + " has no SecretString (binary secrets are not used)");
        }
        return value;
    }
}
