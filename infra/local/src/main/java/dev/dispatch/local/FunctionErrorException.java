package dev.dispatch.local;

import java.nio.charset.StandardCharsets;

/**
 * An invocation that did not produce a response: the function reported an error through the Runtime API
 * ({@code /error}), its process died, it ran past its timeout, or the payload was refused. {@link #errorJson()}
 * is the JSON Lambda would return to the caller (for a function error, the body the runtime posted).
 */
public class FunctionErrorException extends RuntimeException {
    private final String functionName;
    private final String errorType;
    private final byte[] errorJson;

    public FunctionErrorException(String functionName, String errorType, byte[] errorJson) {
        super(functionName + " failed (" + errorType + "): " + abbreviate(new String(errorJson, StandardCharsets.UTF_8)));
        this.functionName = functionName;
        this.errorType = errorType;
        this.errorJson = errorJson.clone();
    }

    /** The failing function's name (AWS_LAMBDA_FUNCTION_NAME). */
    public String functionName() {
        return functionName;
    }

    /** Lambda's error type, e.g. {@code Function.Unhandled}, {@code Sandbox.Timedout}, {@code Runtime.ExitError}. */
    public String errorType() {
        return errorType;
    }

    /** The error document, e.g. {@code {"errorMessage":"...","errorType":"..."}}. */
    public byte[] errorJson() {
        return errorJson.clone();
    }

    public String errorJsonString() {
        return new String(errorJson, StandardCharsets.UTF_8);
    }

    /** True when the invocation ran past the function's timeout and its process was killed. */
    public boolean isTimeout() {
        return "Sandbox.Timedout".equals(errorType);
    }

    private static String abbreviate(String s) {
        return s.length() <= 500 ? s : s.substring(0, 500) + "...";
    }
}
