package dev.dispatch.adapter.provider;

import dev.dispatch.domain.message.EmailProvider;
import dev.dispatch.domain.message.OutgoingMessage;
import dev.dispatch.domain.message.ProviderUnavailableException;
import dev.dispatch.domain.message.SendResult;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A provider whose credential (API key, server token) lives in a secret that may be set or rotated while the
 * function runs: each send asks for the current credential and, when it changed, builds a new client with it.
 * While no credential is set the provider is unavailable, so a batch fails over to the campaign's next provider.
 */
public final class RotatingCredentialProvider implements EmailProvider {
    private final String name;
    private final int maxBatchSize;
    private final Supplier<Optional<String>> credential;
    private final Function<String, EmailProvider> factory;
    private Built built;

    private record Built(String credential, EmailProvider provider) {}

    /**
     * @param credential the current credential, empty when not set
     * @param factory a provider using the given credential (called again only when the credential changes)
     */
    public RotatingCredentialProvider(String name, int maxBatchSize, Supplier<Optional<String>> credential,
            Function<String, EmailProvider> factory) {
        this.name = name;
        this.maxBatchSize = maxBatchSize;
        this.credential = credential;
        this.factory = factory;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean ready() {
        return credential.get().isPresent();
    }

    @Override
    public int maxBatchSize() {
        return maxBatchSize;
    }

    @Override
    public List<SendResult> send(List<OutgoingMessage> batch, Duration timeout) {
        return current().send(batch, timeout);
    }

    private synchronized EmailProvider current() {
        Optional<String> value = credential.get();
        if (value.isEmpty()) {
            throw new ProviderUnavailableException(name, "no credential is set in its secret", List.of());
        }
        if (built == null || !built.credential().equals(value.get())) {
            // The previous client is left to the garbage collector, not closed: a send on another thread may still
            // be using it.
            built = new Built(value.get(), factory.apply(value.get()));
        }
        return built.provider();
    }
}
