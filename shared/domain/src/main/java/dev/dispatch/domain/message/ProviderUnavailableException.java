package dev.dispatch.domain.message;

import dev.dispatch.domain.subscriber.EmailAddress;
import java.util.List;

/**
 * The provider can't send now or with this configuration: 5xx, timeouts, refused connections, bad credentials,
 * paused or suspended sending, an unverified sender. The caller fails the rest over to the next provider - except
 * the recipients in {@link #mayHaveBeenAccepted()}: their request left and no answer came back (a read timeout, an
 * interrupted call), so the provider may have accepted them, and sending them again elsewhere could send twice.
 */
public class ProviderUnavailableException extends ProviderException {
    private final List<EmailAddress> mayHaveBeenAccepted;

    public ProviderUnavailableException(String provider, String message, List<SendResult> completed, Throwable cause,
            List<EmailAddress> mayHaveBeenAccepted) {
        super(provider, message, completed, cause);
        this.mayHaveBeenAccepted = List.copyOf(mayHaveBeenAccepted);
    }

    public ProviderUnavailableException(String provider, String message, List<SendResult> completed, Throwable cause) {
        this(provider, message, completed, cause, List.of());
    }

    public ProviderUnavailableException(String provider, String message, List<SendResult> completed) {
        this(provider, message, completed, null);
    }

    /** Recipients whose request was sent without an answer: their outcome is unknown. */
    public List<EmailAddress> mayHaveBeenAccepted() {
        return mayHaveBeenAccepted;
    }
}
