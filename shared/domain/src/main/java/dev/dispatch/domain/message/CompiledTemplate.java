package dev.dispatch.domain.message;

import java.util.Map;

/** A compiled template. Thread-safe. */
public interface CompiledTemplate {

    /**
     * Renders with a context of plain values: strings, numbers, booleans, lists and nested maps. A variable the
     * context lacks renders as nothing (never "null").
     */
    String render(Map<String, Object> context);
}
