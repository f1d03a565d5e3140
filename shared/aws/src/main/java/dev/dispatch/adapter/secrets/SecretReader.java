package dev.dispatch.adapter.secrets;

/** Reads a secret's current value by its id (ARN or name). */
@FunctionalInterface
public interface SecretReader {

    /**
     * @return the secret's current text
     * @throws RuntimeException when it can't be read; the message never contains the value
     */
    String read(String secretId);
}
