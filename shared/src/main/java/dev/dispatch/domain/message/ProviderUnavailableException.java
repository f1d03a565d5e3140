package dev.dispatch.domain.message;

import java.util.List;

/**
 * The provider can't send now or with this configuration: 5xx, timeouts, refused connections, bad credentials,
 * paused or suspended sending, an unverified sender. The caller fails the rest over to the next provider.
 */
public class ProviderUnavailableException extends ProviderException {
    public ProviderUnavailableException(String provider, String message, List<SendResult> completed, Throwable cause) {
        super(provider, message, completed, cause);
    }

    public ProviderUnavailableException(String provider, String message, List<SendResult> completed) {
        this(provider, message, completed, null);
    }
}
