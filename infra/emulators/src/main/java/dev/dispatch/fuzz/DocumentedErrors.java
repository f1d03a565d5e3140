package dev.dispatch.fuzz;

import dev.dispatch.domain.ImportFileException;
import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.engagement.MalformedWebhookException;
import dev.dispatch.domain.engagement.WebhookAuthenticationException;
import dev.dispatch.domain.engagement.WebhookTooLargeException;
import java.util.List;

/**
 * The property every fuzz target checks: a parser of outside input either succeeds or answers with one of the
 * project's own errors for bad input, which name what is wrong (the field, or the file as a whole). Anything else
 * (a NullPointerException, an IndexOutOfBounds, a library's exception leaking through) escapes and is a finding;
 * hangs are caught by each target's {@code @Timeout} (60 s, also the bound of a whole fuzzing run), running out of
 * memory by Jazzer itself.
 */
public final class DocumentedErrors {
    private static final List<Class<? extends RuntimeException>> DOCUMENTED = List.of(
            InvalidInputException.class, ImportFileException.class, MalformedWebhookException.class,
            WebhookAuthenticationException.class, WebhookTooLargeException.class);

    private DocumentedErrors() {}

    /** Runs {@code parse}; a documented error that says what is wrong is fine, anything else is rethrown. */
    public static void only(Runnable parse) {
        try {
            parse.run();
        } catch (RuntimeException e) {
            if (!isDocumented(e)) {
                throw e;
            }
            requireExplained(e);
        }
    }

    static boolean isDocumented(RuntimeException e) {
        return DOCUMENTED.stream().anyMatch(type -> type.isInstance(e));
    }

    private static void requireExplained(RuntimeException e) {
        String field = e instanceof InvalidInputException invalid ? invalid.field()
                : e instanceof MalformedWebhookException malformed ? malformed.field() : "-";
        if (field == null || field.isBlank() || e.getMessage() == null || e.getMessage().isBlank()) {
            throw new AssertionError("a documented error must name the field and the reason: " + e.getClass().getSimpleName(), e);
        }
    }
}
