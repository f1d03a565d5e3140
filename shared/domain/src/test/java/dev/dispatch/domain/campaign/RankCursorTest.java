package dev.dispatch.domain.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dispatch.domain.warming.EngagementRank;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RankCursorTest {

    @Test
    void givenRanks_whenEncodedAndDecoded_thenTheSameRankAndOrderComeBack() {
        EngagementRank engaged = new EngagementRank("a|b@example.com", 0.1 + 0.2, Instant.parse("2031-01-02T03:04:05.123456789Z"));
        EngagementRank never = new EngagementRank("z@example.com", 0, null);
        assertEquals(engaged, RankCursor.decode(RankCursor.encode(engaged)));
        assertEquals(never, RankCursor.decode(RankCursor.encode(never)));
        assertEquals(0, EngagementRank.MOST_ENGAGED_FIRST.compare(engaged, RankCursor.decode(RankCursor.encode(engaged))));
    }

    @Test
    void givenAnAddressCursor_whenDecodedAsARank_thenItIsRefusedNamingIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RankCursor.decode("bob@example.com"));
        assertEquals("not a warming release cursor: bob@example.com", e.getMessage());
    }
}
