package dev.dispatch;

import dev.dispatch.adapter.dynamodb.SubscriberTables;
import dev.dispatch.emulators.LocalAws;
import dev.dispatch.emulators.ProjectLayout;
import java.util.Map;

/** The local stand-ins with the tables of template.yaml, started once for the whole test JVM. */
public final class TestStack {
    private static LocalAws aws;

    private TestStack() {}

    public static synchronized LocalAws aws() {
        if (aws == null) {
            aws = LocalAws.start(ProjectLayout.root(), Map.of());
        }
        return aws;
    }

    public static SubscriberTables subscriberTables() {
        var r = aws().resources();
        return new SubscriberTables(r.tableName("SubscribersTable"), r.tableName("SegmentMembersTable"),
                r.tableName("SuppressionsTable"), r.tableName("CountersTable"));
    }
}
