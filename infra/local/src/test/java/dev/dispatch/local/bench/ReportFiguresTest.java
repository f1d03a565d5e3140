package dev.dispatch.local.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportFiguresTest {
    /** Lines as CampaignBenchmark writes them (2026-12-02 run, 20,000 recipients). */
    private static final String REPORT = """
              dispatch-local-api / DynamoDb.GetItem                               5       0.3            5
              dispatch-local-enqueue-campaign / DynamoDb.BatchGetItem           400      20.0       40,000
              dispatch-local-enqueue-campaign / DynamoDb.PutItem                 81       4.1          561
              dispatch-local-send-batch / DynamoDb.BatchGetItem                 650      32.5       60,030
              dispatch-local-send-batch / DynamoDb.UpdateItem                   574      28.7        4,466
              TOTAL AWS calls                                                 1,941      97.1   (target <= 100 per 1,000: met)
              DynamoDB    253,600 WRU + 4,000 GSI WRU + 5,013,275 RRU per million -> $  0.79   (WRU/RRU as dynalite computes them)
              total                                                     -> $  0.80 per million recipients ($0.0008 per 1,000)
            """;

    @Test
    void anUnmetCallOrCostGoalNamesWhatItIsMadeOf(@TempDir Path target) throws Exception {
        String json = Files.readString(ReportFigures.campaign(REPORT).write(target, "campaign"));
        assertEquals("send-batch DynamoDb.BatchGetItem 32.5, send-batch DynamoDb.UpdateItem 28.7, "
                + "enqueue-campaign DynamoDb.BatchGetItem 20.0", ReportFigures.largestCalls(REPORT, 3));
        assertTrue(json.contains("issue 9's <= 100 met; largest: send-batch DynamoDb.BatchGetItem 32.5"), json);
        assertTrue(json.contains("DynamoDB $0.79 of it: 253,600 WRU, 4,000 GSI WRU, 5,013,275 RRU per million"), json);
        assertEquals(97.1, new ObjectMapper().readTree(json).get(0).path("value").asDouble());
    }
}
