package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.campaign.SendTimePlanner.Entry;
import dev.dispatch.domain.campaign.WavePlan;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Send-time campaigns' wave plans in the Control table, under {@code pk = waves#<campaign>}: the pages
 * ({@code sk = page#<8 digits>}, each written once with {@code attribute_not_exists}) and the progress
 * ({@code sk = progress}, moved on its version, holding the waves). A page entry (address, variant, zone, minute,
 * domain) is about 100 bytes: a page of 1,000 stays well within an item's 400 KB.
 */
public class DynamoDbWavePlan implements WavePlan {
    private final PagedCampaignItems items;

    public DynamoDbWavePlan(DynamoDbClient client, String table) {
        this.items = new PagedCampaignItems(client, table, "waves#");
    }

    @Override
    public boolean putPage(String campaignId, int number, Page page) {
        return items.putPage(campaignId, number, new PagedCampaignItems.Page<>(page.entries(), page.coversUpTo(),
                page.skippedSuppressed(), page.skippedExcluded()), e -> {
                    Map<String, AttributeValue> m = new HashMap<>();
                    m.put("e", AttributeValue.fromS(e.key()));
                    if (e.variant() != null) {
                        m.put("v", AttributeValue.fromS(e.variant()));
                    }
                    m.put("z", AttributeValue.fromS(e.zone()));
                    if (e.minuteOfDay() != null) {
                        m.put("m", AttributeValue.fromN(Integer.toString(e.minuteOfDay())));
                    }
                    m.put("d", AttributeValue.fromS(e.domain()));
                    return m;
                });
    }

    @Override
    public Optional<Page> page(String campaignId, int number) {
        return items.page(campaignId, number, m -> new Entry(m.get("e").s(), PagedCampaignItems.string(m, "v"),
                        m.get("z").s(), m.containsKey("m") ? Integer.valueOf(m.get("m").n()) : null, m.get("d").s()))
                .map(p -> new Page(p.entries(), p.coversUpTo(), p.skippedSuppressed(), p.skippedExcluded()));
    }

    @Override
    public Progress progress(String campaignId) {
        return items.progress(campaignId).map(item -> {
            PagedCampaignItems.Walk w = PagedCampaignItems.walk(item);
            List<Wave> waves = new ArrayList<>();
            if (item.containsKey("waves")) {
                for (AttributeValue v : item.get("waves").l()) {
                    Map<String, AttributeValue> m = v.m();
                    waves.add(new Wave(Instant.parse(m.get("at").s()), Integer.parseInt(m.get("n").n()),
                            m.containsKey("enqueuedAt") ? Instant.parse(m.get("enqueuedAt").s()) : null));
                }
            }
            return new Progress(w.afterEmail(), w.nextPage(), w.collected(), Instant.parse(item.get("start").s()),
                    waves, w.releasedThrough(), w.nextBatch(), w.version());
        }).orElse(Progress.START);
    }

    @Override
    public boolean advance(String campaignId, Progress expected, Progress next) {
        List<AttributeValue> waves = new ArrayList<>();
        for (Wave w : next.waves()) {
            Map<String, AttributeValue> m = new HashMap<>();
            m.put("at", AttributeValue.fromS(w.at().toString()));
            m.put("n", AttributeValue.fromN(Integer.toString(w.recipients())));
            if (w.enqueuedAt() != null) {
                m.put("enqueuedAt", AttributeValue.fromS(w.enqueuedAt().toString()));
            }
            waves.add(AttributeValue.fromM(m));
        }
        return items.advance(campaignId, expected.version(), new PagedCampaignItems.Walk(next.afterEmail(),
                next.nextPage(), next.collected(), next.releasedThrough(), next.nextBatch(), next.version()),
                Map.of("start", AttributeValue.fromS(next.start().toString()), "waves", AttributeValue.fromL(waves)));
    }
}
