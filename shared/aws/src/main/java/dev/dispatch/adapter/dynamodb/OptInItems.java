package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.subscriber.ConsentRecord;
import dev.dispatch.domain.subscriber.OptIns;
import dev.dispatch.domain.subscriber.PendingOptIn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A profile's opt-ins on its item: {@code pending} (segment to requestedAt, expiresAt, campaign, batch) and
 * {@code consents} (a list of records), both left out when empty so profiles without them are unchanged.
 */
final class OptInItems {
    private OptInItems() {}

    static void write(OptIns optIns, Map<String, AttributeValue> item) {
        if (!optIns.pending().isEmpty()) {
            Map<String, AttributeValue> pending = new HashMap<>();
            optIns.pending().forEach((segment, p) -> pending.put(segment, AttributeValue.fromM(Map.of(
                    "requestedAt", AttributeValue.fromS(p.requestedAt().toString()),
                    "expiresAt", AttributeValue.fromS(p.expiresAt().toString()),
                    "campaign", AttributeValue.fromS(p.campaign()),
                    "batch", AttributeValue.fromN(Integer.toString(p.batch()))))));
            item.put("pending", AttributeValue.fromM(pending));
        }
        if (!optIns.consents().isEmpty()) {
            List<AttributeValue> consents = new ArrayList<>();
            for (ConsentRecord c : optIns.consents()) {
                Map<String, AttributeValue> m = new HashMap<>();
                m.put("segment", AttributeValue.fromS(c.segment()));
                m.put("at", AttributeValue.fromS(c.at().toString()));
                m.put("action", AttributeValue.fromS(c.action().wireName()));
                m.put("method", AttributeValue.fromS(c.method()));
                put(m, "source", c.source());
                put(m, "ip", c.ip());
                put(m, "userAgent", c.userAgent());
                put(m, "text", c.text());
                put(m, "version", c.version());
                consents.add(AttributeValue.fromM(m));
            }
            item.put("consents", AttributeValue.fromL(consents));
        }
    }

    static OptIns read(Map<String, AttributeValue> item) {
        TreeMap<String, PendingOptIn> pending = new TreeMap<>();
        AttributeValue p = item.get("pending");
        if (p != null && p.hasM()) {
            p.m().forEach((segment, v) -> {
                Map<String, AttributeValue> m = v.m();
                pending.put(segment, new PendingOptIn(segment, Instant.parse(m.get("requestedAt").s()),
                        Instant.parse(m.get("expiresAt").s()), m.get("campaign").s(), Integer.parseInt(m.get("batch").n())));
            });
        }
        List<ConsentRecord> consents = new ArrayList<>();
        AttributeValue c = item.get("consents");
        if (c != null && c.hasL()) {
            for (AttributeValue v : c.l()) {
                Map<String, AttributeValue> m = v.m();
                consents.add(new ConsentRecord(m.get("segment").s(), Instant.parse(m.get("at").s()),
                        ConsentRecord.Action.fromWire(m.get("action").s()), m.get("method").s(), get(m, "source"),
                        get(m, "ip"), get(m, "userAgent"), get(m, "text"), get(m, "version")));
            }
        }
        return pending.isEmpty() && consents.isEmpty() ? OptIns.NONE : new OptIns(pending, consents);
    }

    private static void put(Map<String, AttributeValue> m, String name, String value) {
        if (value != null) {
            m.put(name, AttributeValue.fromS(value));
        }
    }

    private static String get(Map<String, AttributeValue> m, String name) {
        AttributeValue v = m.get(name);
        return v == null ? null : v.s();
    }
}
