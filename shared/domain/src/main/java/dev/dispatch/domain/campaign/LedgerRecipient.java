package dev.dispatch.domain.campaign;

/** A recipient as fixed in a send batch when it was enqueued: the address and its A/B variant (null = none). */
public record LedgerRecipient(String email, String variant) {}
