package dev.dispatch.domain.campaign;

import dev.dispatch.domain.warming.EngagementRank;
import java.time.Instant;

/**
 * A position in a warming pool's release order, stored as a ledger batch's {@code coversUpTo} and as the pool's
 * release cursor: the last released recipient's rank ({@code rank:<score>|<last activity or empty>|<key>}). Ranks
 * are fixed in the pool pages, so the order they give is the same on every run.
 */
final class RankCursor {
    private static final String PREFIX = "rank:";

    private RankCursor() {}

    static String encode(EngagementRank rank) {
        return PREFIX + Double.toString(rank.score()) + "|"
                + (rank.lastActivityAt() == null ? "" : rank.lastActivityAt().toString()) + "|" + rank.key();
    }

    static EngagementRank decode(String cursor) {
        if (!cursor.startsWith(PREFIX)) {
            throw new IllegalStateException("not a warming release cursor: " + cursor);
        }
        String[] parts = cursor.substring(PREFIX.length()).split("\\|", 3);
        return new EngagementRank(parts[2], Double.parseDouble(parts[0]),
                parts[1].isEmpty() ? null : Instant.parse(parts[1]));
    }
}
