package dev.dispatch.local.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.local.LocalCloud;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Send-time optimization through the packaged functions on a local cloud ({@link ClockedCloud}, shared with the A/B
 * test): api (create, send, pause, resume,
 * cancel, stats), enqueue-campaign planning and releasing the waves, send-batch to the local SES. enqueue-campaign runs
 * under the test profile with a clock moved by a file (ENQUEUE_CLOCK_OFFSET_FILE) and looks at the next wave every
 * second, so the test walks a day in a minute. "When a recipient got the message" is the local SES's receipt time plus
 * the offset in force, i.e. the time on enqueue-campaign's clock; each recipient must get it in 09:xx of their own zone,
 * nobody before their wave, nobody twice, with duplicated wake-ups and send messages thrown in.
 */
class SendTimeSendTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");
    private static LocalCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        cloud = ClockedCloud.cloud();
    }

    /** enqueue-campaign's "now". */
    private static Instant enqueueNow() {
        return ClockedCloud.enqueueNow();
    }

    /** Moves enqueue-campaign's clock forward to {@code target} (never back). */
    private static void moveClockTo(Instant target) throws Exception {
        ClockedCloud.moveTo(target);
    }

    /** The next 05:30 UTC on enqueue-campaign's clock: 00:30 in New York, 06:30 in Berlin, 14:30 in Tokyo. */
    private static Instant nextHalfPastFiveUtc() {
        ZonedDateTime now = enqueueNow().atZone(ZoneOffset.UTC);
        ZonedDateTime at = now.with(LocalTime.of(5, 30));
        return (at.isAfter(now.plusMinutes(1)) ? at : at.plusDays(1)).toInstant();
    }

    private static HttpResponse<String> call(String method, String path, String body) throws Exception {
        return ClockedCloud.call(method, path, body);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    /**
     * When each of this run's recipients got their message, on enqueue-campaign's clock (the SES receipt second plus the
     * offset then in force; the test moves the clock only after a wave's messages have all arrived); a second message
     * to anyone fails the test.
     */
    private static Map<String, Instant> received(String run) throws Exception {
        HttpResponse<String> store = ClockedCloud.sesStore();
        Map<String, Instant> at = new HashMap<>();
        for (JsonNode email : JSON.readTree(store.body()).get("emails")) {
            for (JsonNode address : email.path("destination").path("to")) {
                String bare = address.asText().replaceAll(".*<([^>]+)>.*", "$1");
                if (bare.contains(run)) {
                    Instant receipt = Instant.ofEpochSecond(email.get("at").asLong());
                    // the receipt time is whole seconds, rounded down: the offset in force by the end of that second
                    Instant before = at.put(bare, ClockedCloud.onEnqueueClock(receipt));
                    assertNull(before, bare + " received a second message");
                }
            }
        }
        return at;
    }

    private static JsonNode statsWhen(String id, Predicate<JsonNode> done, String what) throws Exception {
        JsonNode stats = null;
        Instant limit = Instant.now().plusSeconds(90);
        while (Instant.now().isBefore(limit)) {
            stats = json(call("GET", "/campaigns/" + id + "/stats", null));
            if (done.test(stats)) {
                return stats;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("timed out waiting for " + what + ": " + stats);
    }

    private static Map<String, Instant> receivedWhen(String run, int count) throws Exception {
        Instant limit = Instant.now().plusSeconds(90);
        Map<String, Instant> got = received(run);
        while (got.size() < count && Instant.now().isBefore(limit)) {
            Thread.sleep(300);
            got = received(run);
        }
        assertEquals(count, got.size(), "recipients who got the message: " + got.keySet());
        return got;
    }

    private static void wakeUp(String campaignId) {
        String queue = cloud.localAws().resources().queueUrl("EnqueueQueue");
        cloud.localAws().sqs().sendMessage(b -> b.queueUrl(queue).messageBody("{\"campaignId\":\"" + campaignId + "\"}"));
    }

    /** A redelivered send message for a batch already sent: send-batch finds it done. */
    private static void resendBatch(String campaignId, int batch) {
        String queue = cloud.localAws().resources().queueUrl("SendQueue");
        cloud.localAws().sqs().sendMessage(b -> b.queueUrl(queue)
                .messageBody("{\"campaignId\":\"" + campaignId + "\",\"batch\":" + batch + "}"));
    }

    /** Subscribers by zone (null: no zone on the profile), imported with their timeZone column. */
    private static Map<String, ZoneId> subscribers(String run, String segment, Map<ZoneId, Integer> perZone,
            int withoutZone) throws Exception {
        Map<String, ZoneId> zones = new LinkedHashMap<>();
        StringBuilder csv = new StringBuilder("email,segments,timeZone\n");
        int n = 0;
        for (Map.Entry<ZoneId, Integer> z : perZone.entrySet()) {
            for (int i = 0; i < z.getValue(); i++) {
                String email = String.format("st%02d-%s@example.com", n++, run);
                zones.put(email, z.getKey());
                csv.append(email).append(',').append(segment).append(',').append(z.getKey().getId()).append('\n');
            }
        }
        for (int i = 0; i < withoutZone; i++) {
            String email = String.format("st%02d-%s@example.com", n++, run);
            zones.put(email, null);
            csv.append(email).append(',').append(segment).append(",\n");
        }
        HttpResponse<String> imported = call("POST", "/subscribers/bulk-import", csv.toString());
        assertTrue(imported.statusCode() < 300, imported.body());
        return zones;
    }

    private static String createAndSend(String run, String segment, String defaultZone) throws Exception {
        HttpResponse<String> created = call("POST", "/campaigns", "{\"name\":\"Send time " + run + "\","
                + "\"fromEmail\":\"news@example.com\",\"subject\":\"Good morning\","
                + "\"html\":\"<p>Hi</p><a href=\\\"{{unsubscribeUrl}}\\\">Unsubscribe</a>\","
                + "\"segments\":[\"" + segment + "\"],\"providers\":[\"ses\"],"
                + "\"sendTime\":{\"mode\":\"local\",\"hour\":9,\"defaultZone\":\"" + defaultZone + "\"}}");
        assertEquals(201, created.statusCode(), created.body());
        String id = json(created).get("id").asText();
        assertEquals("local", json(created).get("sendTime").get("mode").asText());
        assertEquals(9, json(created).get("sendTime").get("hour").asInt());
        // forced past the content check: what it scores is not this test's subject
        HttpResponse<String> sent = call("POST", "/campaigns/" + id + "/send", "{\"force\":true}");
        assertEquals(200, sent.statusCode(), sent.body());
        return id;
    }

    /** The planned waves as (instant, recipients). */
    private static Map<Instant, Integer> waves(JsonNode stats) {
        Map<Instant, Integer> waves = new LinkedHashMap<>();
        for (JsonNode w : stats.get("sendTime").get("waves")) {
            waves.put(Instant.parse(w.get("at").asText()), w.get("recipients").asInt());
        }
        return waves;
    }

    private static String waveState(JsonNode stats, Instant at) {
        for (JsonNode w : stats.get("sendTime").get("waves")) {
            if (Instant.parse(w.get("at").asText()).equals(at)) {
                return w.get("state").asText();
            }
        }
        throw new AssertionError("no wave at " + at + ": " + stats);
    }

    /** Nobody of the run beyond {@code expected} has the message, a few seconds (several wave checks) later. */
    private static void stillOnly(String run, java.util.Set<String> expected, String why) throws Exception {
        Thread.sleep(3000);
        assertEquals(expected, received(run).keySet(), why);
    }

    /** Everyone in {@code zone} (by {@code zones}) got it at 09:xx in that zone; returns them. */
    private static java.util.Set<String> inZone(Map<String, ZoneId> zones, ZoneId zone) {
        java.util.Set<String> result = new java.util.TreeSet<>();
        zones.forEach((email, z) -> {
            if (zone.equals(z)) {
                result.add(email);
            }
        });
        return result;
    }

    private static void assertNineLocal(Map<String, Instant> got, java.util.Set<String> who, ZoneId zone) {
        for (String email : who) {
            ZonedDateTime local = got.get(email).atZone(zone);
            assertEquals(9, local.getHour(), email + " got it at " + local + ", not in their 9 o'clock hour");
        }
    }

    @Test
    void givenRecipientsInThreeZones_whenSentAtNineLocal_thenEachGetsItInTheirOwnNineOClockHourExactlyOnce()
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String segment = "st-" + run;
        Map<String, ZoneId> zones = subscribers(run, segment, Map.of(NEW_YORK, 4, BERLIN, 4, TOKYO, 3), 2);
        // the two without a zone fall back to the campaign's default zone, Tokyo
        zones.replaceAll((email, zone) -> zone == null ? TOKYO : zone);

        Instant start = nextHalfPastFiveUtc();
        moveClockTo(start);
        String id = createAndSend(run, segment, "Asia/Tokyo");
        JsonNode stats = statsWhen(id, s -> s.path("sendTime").path("planned").asBoolean(), "the waves planned");
        Instant berlinWave = start.plus(Duration.ofMinutes(150)); // 08:00 UTC = 09:00 Berlin
        Instant newYorkWave = start.plus(Duration.ofMinutes(510)); // 14:00 UTC = 09:00 New York
        Instant tokyoWave = start.plus(Duration.ofMinutes(1110)); // 00:00 UTC next day = 09:00 Tokyo (today's is over)
        Map<Instant, Integer> expectedWaves = new LinkedHashMap<>();
        expectedWaves.put(berlinWave, 4);
        expectedWaves.put(newYorkWave, 4);
        expectedWaves.put(tokyoWave, 5);
        assertEquals(expectedWaves, waves(stats), stats.toString());
        assertEquals("scheduled", waveState(stats, berlinWave));
        assertEquals("sending", stats.get("status").asText());

        // Duplicated wake-ups before any wave is due: nobody gets anything.
        for (int i = 0; i < 3; i++) {
            wakeUp(id);
        }
        stillOnly(run, java.util.Set.of(), "nobody before their wave");
        moveClockTo(berlinWave.minusSeconds(30));
        wakeUp(id);
        stillOnly(run, java.util.Set.of(), "nobody 30 seconds before the first wave");

        moveClockTo(berlinWave.plusSeconds(20));
        wakeUp(id); // a duplicate wake-up racing the scheduled one
        java.util.Set<String> berlin = inZone(zones, BERLIN);
        Map<String, Instant> got = receivedWhen(run, berlin.size());
        assertEquals(berlin, got.keySet(), "the Berlin wave alone");
        assertNineLocal(got, berlin, BERLIN);
        stats = statsWhen(id, s -> "enqueued".equals(waveState(s, berlinWave)), "the Berlin wave shown enqueued");
        assertEquals("scheduled", waveState(stats, newYorkWave));
        // Redelivered: the first batch's send message again, and more wake-ups. Nobody twice, nobody early.
        resendBatch(id, 0);
        wakeUp(id);
        wakeUp(id);
        stillOnly(run, berlin, "still the Berlin wave alone");

        moveClockTo(newYorkWave.plusSeconds(20));
        java.util.Set<String> both = new java.util.TreeSet<>(berlin);
        java.util.Set<String> newYork = inZone(zones, NEW_YORK);
        both.addAll(newYork);
        got = receivedWhen(run, both.size());
        assertEquals(both, got.keySet(), "then the New York wave");
        assertNineLocal(got, newYork, NEW_YORK);
        resendBatch(id, 1);
        stillOnly(run, both, "nobody twice, Tokyo not yet");

        moveClockTo(tokyoWave.plusSeconds(20));
        got = receivedWhen(run, zones.size());
        assertEquals(zones.keySet(), got.keySet(), "everyone");
        assertNineLocal(got, inZone(zones, TOKYO), TOKYO);
        stats = statsWhen(id, s -> "sent".equals(s.get("status").asText()), "the campaign sent");
        wakeUp(id);
        resendBatch(id, 2);
        stillOnly(run, zones.keySet(), "a wake-up after the end changes nothing");
        stats = json(call("GET", "/campaigns/" + id + "/stats", null));
        assertEquals(zones.size(), stats.get("counts").get("recipients").asInt(), stats.toString());
        assertEquals(zones.size(), stats.get("counts").get("sent").asInt(), stats.toString());
        for (Instant wave : expectedWaves.keySet()) {
            assertEquals("enqueued", waveState(stats, wave));
        }
        // the campaign view shows the same schedule
        assertEquals(expectedWaves, waves(json(call("GET", "/campaigns/" + id, null))));
    }

    @Test
    void givenAPauseAcrossAWave_whenResumed_thenTheWaveGoesThenAndACancelDropsTheWavesLeft() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String segment = "stp-" + run;
        Map<String, ZoneId> zones = subscribers(run, segment, Map.of(BERLIN, 2, NEW_YORK, 2, TOKYO, 2), 0);
        Instant start = nextHalfPastFiveUtc();
        moveClockTo(start);
        String id = createAndSend(run, segment, "Europe/Paris");
        statsWhen(id, s -> s.path("sendTime").path("planned").asBoolean(), "the waves planned");
        Instant berlinWave = start.plus(Duration.ofMinutes(150));
        Instant newYorkWave = start.plus(Duration.ofMinutes(510));
        Instant tokyoWave = start.plus(Duration.ofMinutes(1110));

        moveClockTo(berlinWave.plusSeconds(20));
        java.util.Set<String> berlin = inZone(zones, BERLIN);
        assertEquals(berlin, receivedWhen(run, berlin.size()).keySet());
        statsWhen(id, s -> "enqueued".equals(waveState(s, berlinWave)), "the Berlin wave enqueued");

        assertEquals(200, call("POST", "/campaigns/" + id + "/pause", null).statusCode());
        moveClockTo(newYorkWave.plusSeconds(20));
        wakeUp(id);
        wakeUp(id);
        stillOnly(run, berlin, "a paused campaign enqueues no wave");
        JsonNode stats = json(call("GET", "/campaigns/" + id + "/stats", null));
        assertEquals("paused", waveState(stats, newYorkWave), stats.toString());

        moveClockTo(newYorkWave.plus(Duration.ofMinutes(10)));
        assertEquals(200, call("POST", "/campaigns/" + id + "/resume", null).statusCode());
        java.util.Set<String> sent = new java.util.TreeSet<>(berlin);
        java.util.Set<String> newYork = inZone(zones, NEW_YORK);
        sent.addAll(newYork);
        Map<String, Instant> got = receivedWhen(run, sent.size());
        assertEquals(sent, got.keySet(), "resumed: the New York wave, still in its 9 o'clock hour");
        assertNineLocal(got, newYork, NEW_YORK);
        assertNineLocal(got, berlin, BERLIN);
        statsWhen(id, s -> "enqueued".equals(waveState(s, newYorkWave)), "the New York wave enqueued");

        // Cancelled before the Tokyo wave: its recipients are recorded as cancelled and never get it.
        assertEquals(200, call("POST", "/campaigns/" + id + "/cancel", null).statusCode());
        stats = statsWhen(id, s -> s.path("counts").path("cancelled").asInt() == 2, "the Tokyo wave recorded cancelled");
        assertEquals("cancelled", waveState(stats, tokyoWave));
        assertEquals(zones.size(), stats.get("counts").get("recipients").asInt(), stats.toString());
        assertEquals(4, stats.get("counts").get("sent").asInt(), stats.toString());
        moveClockTo(tokyoWave.plusSeconds(20));
        wakeUp(id);
        stillOnly(run, sent, "nobody in Tokyo after the cancel");
    }

    @Test
    void givenBadSendTimes_whenCreated_thenA400NamesTheField() throws Exception {
        assertEquals("sendTime.defaultZone", refused("{\"mode\":\"local\",\"hour\":9,\"defaultZone\":\"Mars/Olympus\"}"));
        assertEquals("sendTime.hour", refused("{\"mode\":\"local\",\"hour\":24,\"defaultZone\":\"Europe/Paris\"}"));
        assertEquals("sendTime.minute", refused("{\"mode\":\"local\",\"hour\":9,\"minute\":75,\"defaultZone\":\"UTC\"}"));
        assertEquals("sendTime.mode", refused("{\"mode\":\"whenever\",\"hour\":9,\"defaultZone\":\"Europe/Paris\"}"));
        assertEquals("sendTime.mode", refused("{\"hour\":9,\"defaultZone\":\"Europe/Paris\"}"));
    }

    private static String refused(String sendTime) throws Exception {
        HttpResponse<String> created = call("POST", "/campaigns", "{\"name\":\"Bad\",\"fromEmail\":\"news@example.com\","
                + "\"subject\":\"s\",\"html\":\"h\",\"segments\":[\"bad\"],\"sendTime\":" + sendTime + "}");
        assertEquals(400, created.statusCode(), created.body());
        return json(created).get("field").asText();
    }
}
