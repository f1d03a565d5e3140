package dev.dispatch.domain.campaign;

import java.util.List;

/** A batch as enqueue-campaign fixes it, with the audience it skipped in its range of addresses. */
public record NewBatch(int batch, List<LedgerRecipient> recipients, String coversUpTo, int skippedSuppressed, int skippedExcluded) {}
