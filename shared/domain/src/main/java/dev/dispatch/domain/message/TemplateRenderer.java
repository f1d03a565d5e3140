package dev.dispatch.domain.message;

/** Compiles message templates (Handlebars syntax). Implementations are thread-safe. */
public interface TemplateRenderer {

    /**
     * Compiles once; the result renders many times, from any thread.
     *
     * @param field names the template in errors (e.g. "subject", "variants[1].html")
     * @throws dev.dispatch.domain.InvalidInputException {@code (field, "line L, column C: <what is wrong>")} for a
     *     syntax error
     */
    CompiledTemplate compile(String source, String field);
}
