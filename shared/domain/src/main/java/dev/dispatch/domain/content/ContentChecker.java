package dev.dispatch.domain.content;

import java.util.Set;

/** Scores a message's content for spam signals, explains each one, and improves what can be improved. */
public interface ContentChecker {

    /** The findings of every rule and the improvements on offer, scored against {@code threshold}. */
    ContentReport check(MessageDraft draft, double threshold);

    /**
     * The draft with the named improvements applied (in the checker's own order); ids that don't apply to this
     * draft change nothing.
     *
     * @throws dev.dispatch.domain.InvalidInputException naming "apply" for an id the checker doesn't know
     */
    MessageDraft improve(MessageDraft draft, Set<String> improvementIds);
}
