package dev.dispatch.domain.content;

/**
 * One check of the sending domain.
 *
 * @param check "spf", "dkim", "dmarc", or a bulk-sender requirement ("bulk:dmarc", "bulk:authentication",
 *     "bulk:alignment", "bulk:one-click-unsubscribe")
 * @param status "pass", "warn", "fail", or "unknown" when DNS gave no answer
 * @param record the DNS record the verdict rests on, if any
 */
public record SenderCheck(String check, String status, String record, String detail) {}
