package dev.dispatch.domain.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.campaign.SendTimePlanner.Entry;
import dev.dispatch.domain.campaign.SendTimePlanner.Scheduled;
import dev.dispatch.domain.campaign.SendTimePlanner.Wave;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Send-time planning: the input rules, zones, best hours, instants with the grace rule, and the waves. */
class SendTimePlannerTest {
    /** 2026-12-02 06:30 UTC: 01:30 in New York, 07:30 in Berlin, 15:30 in Tokyo. */
    private static final Instant START = Instant.parse("2026-12-02T06:30:00Z");
    private static final SendTime NINE_PARIS = new SendTime(SendTime.Mode.LOCAL, 9, 0, "Europe/Paris");

    private static InvalidInputException refused(SendTime.Input input) {
        return assertThrows(InvalidInputException.class, input::validate);
    }

    @Test
    void givenBadSendTimes_whenValidated_thenEachIsRefusedNamingItsField() {
        assertEquals("sendTime.mode", refused(new SendTime.Input("soon", 9, 0, "Europe/Paris")).field());
        assertEquals("sendTime.mode", refused(new SendTime.Input(null, 9, 0, "Europe/Paris")).field());
        assertEquals("sendTime.hour", refused(new SendTime.Input("local", 24, 0, "Europe/Paris")).field());
        assertEquals("sendTime.hour", refused(new SendTime.Input("local", -1, 0, "Europe/Paris")).field());
        assertEquals("sendTime.hour", refused(new SendTime.Input("local", null, 0, "Europe/Paris")).field());
        assertEquals("sendTime.minute", refused(new SendTime.Input("local", 9, 60, "Europe/Paris")).field());
        assertEquals("sendTime.defaultZone", refused(new SendTime.Input("local", 9, 0, "Mars/Olympus")).field());
        assertEquals("sendTime.defaultZone", refused(new SendTime.Input("local", 9, 0, null)).field());
    }

    @Test
    void givenGoodSendTimes_whenValidated_thenDefaultsApply() {
        assertEquals(NINE_PARIS, new SendTime.Input("local", 9, null, "Europe/Paris").validate());
        SendTime best = new SendTime.Input("best", null, 15, "Asia/Tokyo").validate();
        assertEquals(new SendTime(SendTime.Mode.BEST, SendTime.DEFAULT_BEST_HOUR, 15, "Asia/Tokyo"), best);
    }

    @Test
    void givenThreeZones_whenNineLocalIsPlanned_thenEachGoesAtItsOwnNineAndTokyoWhosePassedGoesTomorrow() {
        assertEquals(Instant.parse("2026-12-02T14:00:00Z"), SendTimePlanner.instant(ZoneId.of("America/New_York"), 540, START));
        assertEquals(Instant.parse("2026-12-02T08:00:00Z"), SendTimePlanner.instant(ZoneId.of("Europe/Berlin"), 540, START));
        // 15:30 in Tokyo: 09:00 is long over, so tomorrow's 09:00
        assertEquals(Instant.parse("2026-12-03T00:00:00Z"), SendTimePlanner.instant(ZoneId.of("Asia/Tokyo"), 540, START));
    }

    @Test
    void givenTheLocalHourHasBegunButIsNotOver_whenPlanned_thenAtOnceElseTomorrow() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        // 07:30 Berlin, a 07:00 send: still in the hour, at once
        assertEquals(START, SendTimePlanner.instant(berlin, 7 * 60, START));
        // a 06:00 send: the hour is over, tomorrow at 06:00
        assertEquals(Instant.parse("2026-12-03T05:00:00Z"), SendTimePlanner.instant(berlin, 6 * 60, START));
        // the boundary: 08:00 Berlin exactly is an 08:00 send right now (not early, not tomorrow)
        Instant eight = Instant.parse("2026-12-02T07:00:00Z");
        assertEquals(eight, SendTimePlanner.instant(berlin, 8 * 60, eight));
    }

    @Test
    void givenADaylightSavingGap_whenPlanned_thenTheTimeMovesForwardNotBack() {
        // 2027-03-28 02:30 does not exist in Berlin (clocks jump from 02:00 to 03:00): 03:30 CEST = 01:30 UTC
        Instant before = Instant.parse("2027-03-27T23:00:00Z");
        assertEquals(Instant.parse("2027-03-28T01:30:00Z"), SendTimePlanner.instant(ZoneId.of("Europe/Berlin"), 150, before));
    }

    @Test
    void givenZones_whenResolved_thenProfileThenAttributeThenEngagementThenDefault() {
        List<Instant> none = List.of();
        assertEquals(ZoneId.of("Asia/Tokyo"), SendTimePlanner.zoneOf(NINE_PARIS, "Asia/Tokyo", Map.of("timezone", "Europe/Berlin"), none));
        assertEquals(ZoneId.of("Europe/Berlin"), SendTimePlanner.zoneOf(NINE_PARIS, null, Map.of("timezone", "Europe/Berlin"), none));
        assertEquals(ZoneId.of("Europe/Paris"), SendTimePlanner.zoneOf(NINE_PARIS, null, Map.of("timezone", "nowhere"), none));
        // opens around 18:00 UTC (13:00 local taken as the centre) give UTC-05:00
        List<Instant> evenings = new ArrayList<>();
        for (int d = 1; d <= 6; d++) {
            evenings.add(Instant.parse("2026-11-0" + d + "T1" + (6 + d % 4) + ":10:00Z"));
        }
        assertEquals(ZoneOffset.ofHours(-5), SendTimePlanner.zoneOf(NINE_PARIS, null, Map.of(), evenings));
        // four events are not enough to infer a zone
        assertEquals(ZoneId.of("Europe/Paris"), SendTimePlanner.zoneOf(NINE_PARIS, null, Map.of(), evenings.subList(0, 4)));
    }

    @Test
    void givenHistories_whenBestMinuteIsAsked_thenTheLocalHourOfMostEngagementOrNullWhenTooLittle() {
        ZoneId tokyo = ZoneId.of("Asia/Tokyo");
        List<Instant> mornings = List.of(Instant.parse("2026-11-01T23:05:00Z"), Instant.parse("2026-11-02T23:40:00Z"),
                Instant.parse("2026-11-03T11:00:00Z"), Instant.parse("2026-11-04T23:59:00Z"));
        assertEquals(8 * 60 + 15, SendTimePlanner.bestMinute(mornings, tokyo, 15)); // 08:xx Tokyo, three of four
        assertNull(SendTimePlanner.bestMinute(mornings.subList(0, 2), tokyo, 15));
    }

    @Test
    void givenBestModeFallbacks_whenScheduled_thenOwnThenDomainThenSenderThenTheCampaignHour() {
        SendTime best = new SendTime(SendTime.Mode.BEST, 10, 0, "UTC");
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            entries.add(new Entry("g" + i + "@gmail.com", null, "UTC", 7 * 60, "gmail.com")); // gmail votes 07:00
        }
        entries.add(new Entry("y1@yahoo.com", null, "UTC", 20 * 60, "yahoo.com"));
        entries.add(new Entry("y2@yahoo.com", null, "UTC", 20 * 60, "yahoo.com")); // only two: no yahoo best
        entries.add(new Entry("new@gmail.com", null, "UTC", null, "gmail.com"));
        entries.add(new Entry("new@yahoo.com", null, "UTC", null, "yahoo.com"));
        Instant start = Instant.parse("2026-12-02T00:00:00Z");
        Map<String, Instant> at = new java.util.HashMap<>();
        for (Scheduled s : SendTimePlanner.schedule(best, entries, start)) {
            at.put(s.entry().key(), s.at());
        }
        assertEquals(Instant.parse("2026-12-02T07:00:00Z"), at.get("new@gmail.com"), "the domain's best hour");
        // the sender's best: 07:00 has three votes of five
        assertEquals(Instant.parse("2026-12-02T07:00:00Z"), at.get("new@yahoo.com"), "the sender's best hour");
        assertEquals(Instant.parse("2026-12-02T20:00:00Z"), at.get("y1@yahoo.com"), "their own");

        List<Entry> nobodyKnown = List.of(new Entry("a@x.com", null, "UTC", null, "x.com"));
        assertEquals(Instant.parse("2026-12-02T10:00:00Z"), SendTimePlanner.schedule(best, nobodyKnown, start).get(0).at(),
                "the campaign's hour");
    }

    @Test
    void givenRecipientsInThreeZones_whenScheduled_thenThreeWavesInInstantOrderAndTheCursorSplitsThem() {
        List<Entry> entries = List.of(
                new Entry("ny1@x.com", null, "America/New_York", 540, "x.com"),
                new Entry("ny2@x.com", null, "America/New_York", 540, "x.com"),
                new Entry("tokyo@x.com", null, "Asia/Tokyo", 540, "x.com"),
                new Entry("berlin@x.com", "B", "Europe/Berlin", 540, "x.com"));
        List<Scheduled> schedule = SendTimePlanner.schedule(NINE_PARIS, entries, START);
        assertEquals(List.of("berlin@x.com", "ny1@x.com", "ny2@x.com", "tokyo@x.com"),
                schedule.stream().map(s -> s.entry().key()).toList());
        assertEquals(List.of(new Wave(Instant.parse("2026-12-02T08:00:00Z"), 1),
                new Wave(Instant.parse("2026-12-02T14:00:00Z"), 2), new Wave(Instant.parse("2026-12-03T00:00:00Z"), 1)),
                SendTimePlanner.waves(schedule));
        String afterNy1 = SendTimePlanner.cursor(schedule.get(1));
        assertEquals(List.of("ny2@x.com", "tokyo@x.com"),
                SendTimePlanner.after(schedule, afterNy1).stream().map(s -> s.entry().key()).toList());
        assertTrue(SendTimePlanner.after(schedule, SendTimePlanner.cursor(schedule.get(3))).isEmpty());
        assertEquals(4, SendTimePlanner.after(schedule, null).size());
    }
}
