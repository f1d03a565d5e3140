package dev.dispatch.local.testfn;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A tiny handler for tests of the runtime itself, packaged at test time into a task root. The payload is a JSON
 * string command: {@code "sleep:MS"}, {@code "halt"} (the process dies mid-invocation), {@code "throw"}, or anything
 * else (echoed). Answers {@code {"pid":..,"requestId":"..","payload":..}}.
 */
public class SleepyHandler implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String payload = new String(input.readAllBytes(), StandardCharsets.UTF_8);
        String command = payload.replace("\"", "").trim();
        if (command.startsWith("sleep:")) {
            try {
                Thread.sleep(Long.parseLong(command.substring(6)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (command.equals("halt")) {
            Runtime.getRuntime().halt(3);
        } else if (command.equals("throw")) {
            throw new IllegalStateException("asked to fail");
        }
        String answer = "{\"pid\":" + ProcessHandle.current().pid() + ",\"requestId\":\"" + context.getAwsRequestId()
                + "\",\"remainingMs\":" + context.getRemainingTimeInMillis() + ",\"functionName\":\""
                + context.getFunctionName() + "\",\"payload\":" + (payload.isBlank() ? "null" : payload) + "}";
        output.write(answer.getBytes(StandardCharsets.UTF_8));
    }
}
