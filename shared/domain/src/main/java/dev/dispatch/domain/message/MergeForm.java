package dev.dispatch.domain.message;

import java.util.Map;
import java.util.Objects;

/**
 * A message's content expressed as one tagged rendering shared by many recipients, plus the substitutions
 * (tag to this recipient's value) that turn it into this recipient's content. It is a promise to be checked, not
 * trusted: a provider that batches with it substitutes the values into the tagged content and uses the batch only
 * for recipients whose result equals their own rendered message (conditionals and fallbacks can diverge).
 */
public record MergeForm(MessageContent tagged, Map<String, String> substitutions) {
    public MergeForm {
        Objects.requireNonNull(tagged, "tagged");
        substitutions = substitutions == null ? Map.of() : Map.copyOf(substitutions);
    }
}
