package dev.dispatch.domain.campaign;

import java.util.List;

/**
 * A batch as enqueue-campaign fixes it, with the audience it skipped in its range of addresses; {@code overflow}: the
 * route of a batch over a warming plan's allowance (null: the batch is routed the normal way).
 */
public record NewBatch(int batch, List<LedgerRecipient> recipients, String coversUpTo, int skippedSuppressed,
        int skippedExcluded, OverflowRoute overflow) {

    public NewBatch(int batch, List<LedgerRecipient> recipients, String coversUpTo, int skippedSuppressed, int skippedExcluded) {
        this(batch, recipients, coversUpTo, skippedSuppressed, skippedExcluded, null);
    }
}
