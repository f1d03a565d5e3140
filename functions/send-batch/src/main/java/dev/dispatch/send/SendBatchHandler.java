package dev.dispatch.send;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.quarkus.funqy.lambda.FunqyStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Optional;

/**
 * send-batch's Lambda handler: Funqy's stream handler, after noting when this invocation will be cut off. Funqy
 * (Quarkus 3.34.2) does not hand the Lambda {@link Context} to the function (its request context is created
 * empty, so a {@code @Context Context} parameter would be null), and the deadline is what send-batch needs of it.
 * Lambda runs one invocation at a time per process, so one field holds it.
 */
public class SendBatchHandler implements RequestStreamHandler {
    private static volatile Instant invocationEnd;

    private final FunqyStreamHandler funqy = new FunqyStreamHandler();

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        invocationEnd = context == null ? null : Instant.now().plusMillis(context.getRemainingTimeInMillis());
        try {
            funqy.handleRequest(input, output, context);
        } finally {
            invocationEnd = null;
        }
    }

    /** When the current invocation will be cut off; empty when the function runs without this handler. */
    static Optional<Instant> invocationEnd() {
        return Optional.ofNullable(invocationEnd);
    }
}
