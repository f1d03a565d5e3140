package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.campaign.WarmingPool;
import dev.dispatch.domain.warming.EngagementRank;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Campaigns' warming pools in the Control table, under {@code pk = warmpool#<campaign>}: the mode ({@code sk = mode},
 * written once), the pages ({@code sk = page#<8 digits>}, each written once with {@code attribute_not_exists}) and the
 * progress ({@code sk = progress}, moved on its version). A page holds up to a page size of entries (address,
 * variant, score, last activity), about 100 bytes each, well within an item's 400 KB at the default 1,000.
 */
public class DynamoDbWarmingPool implements WarmingPool {
    private final PagedCampaignItems items;

    public DynamoDbWarmingPool(DynamoDbClient client, String table) {
        this.items = new PagedCampaignItems(client, table, "warmpool#");
    }

    @Override
    public Optional<Mode> mode(String campaignId) {
        return items.get(campaignId, "mode").map(item -> item.get("pooled").bool()
                ? Mode.pooledBy(item.get("plan").s()) : Mode.NORMAL);
    }

    @Override
    public Mode fixMode(String campaignId, Mode proposed) {
        Map<String, AttributeValue> item = new HashMap<>(items.key(campaignId, "mode"));
        item.put("pooled", AttributeValue.fromBool(proposed.pooled()));
        if (proposed.plan() != null) {
            item.put("plan", AttributeValue.fromS(proposed.plan()));
        }
        if (items.putNew(item)) {
            return proposed;
        }
        return mode(campaignId).orElseThrow();
    }

    @Override
    public boolean putPage(String campaignId, int number, Page page) {
        return items.putPage(campaignId, number, new PagedCampaignItems.Page<>(page.entries(), page.coversUpTo(),
                page.skippedSuppressed(), page.skippedExcluded()), e -> {
                    Map<String, AttributeValue> m = new HashMap<>();
                    m.put("e", AttributeValue.fromS(e.rank().key()));
                    if (e.variant() != null) {
                        m.put("v", AttributeValue.fromS(e.variant()));
                    }
                    m.put("s", AttributeValue.fromN(Double.toString(e.rank().score())));
                    if (e.rank().lastActivityAt() != null) {
                        m.put("a", AttributeValue.fromS(e.rank().lastActivityAt().toString()));
                    }
                    return m;
                });
    }

    @Override
    public Optional<Page> page(String campaignId, int number) {
        return items.page(campaignId, number, m -> new Entry(new EngagementRank(m.get("e").s(),
                        Double.parseDouble(m.get("s").n()), m.containsKey("a") ? Instant.parse(m.get("a").s()) : null),
                        PagedCampaignItems.string(m, "v")))
                .map(p -> new Page(p.entries(), p.coversUpTo(), p.skippedSuppressed(), p.skippedExcluded()));
    }

    @Override
    public Progress progress(String campaignId) {
        return items.progress(campaignId).map(PagedCampaignItems::walk).map(w -> new Progress(w.afterEmail(),
                w.nextPage(), w.collected(), w.releasedThrough(), w.nextBatch(), w.version())).orElse(Progress.START);
    }

    @Override
    public boolean advance(String campaignId, Progress expected, Progress next) {
        return items.advance(campaignId, expected.version(), new PagedCampaignItems.Walk(next.afterEmail(),
                next.nextPage(), next.collected(), next.releasedThrough(), next.nextBatch(), next.version()), Map.of());
    }
}
