package dev.dispatch.api;

import java.util.List;
import java.util.function.Supplier;

/** The SHA-256 digests of the accepted API keys, as they are now (their secret may rotate while the function runs). */
public record ApiKeyDigests(Supplier<List<byte[]>> current) {
}
