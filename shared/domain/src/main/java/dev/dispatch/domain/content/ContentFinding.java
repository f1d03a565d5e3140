package dev.dispatch.domain.content;

/**
 * One rule that fired: its points towards the spam score, the evidence (the word, link or element that made it
 * fire), how to fix it, and the id of the automatic improvement that fixes it (null when only a person can).
 *
 * @param where which part the evidence is in: "subject", "html", "text", "from", or a variant's part such as
 *     "variants[B].subject" in a campaign check
 */
public record ContentFinding(String rule, double points, String where, String evidence, String fix, String improvement) {}
