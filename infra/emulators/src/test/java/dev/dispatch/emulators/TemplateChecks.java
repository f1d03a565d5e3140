package dev.dispatch.emulators;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * House rules for template.yaml. Each check returns the problems it found (empty = fine), so a test can assert on
 * the real template and on a deliberately broken one.
 */
final class TemplateChecks {

    static final String FUNCTION = "AWS::Serverless::Function";
    static final String QUEUE = "AWS::SQS::Queue";
    static final String TABLE = "AWS::DynamoDB::Table";
    static final String SECRET = "AWS::SecretsManager::Secret";
    static final Set<String> PSEUDO_PARAMETERS = Set.of("AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue",
            "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix");
    static final List<String> SECRET_WORDS = List.of("key", "secret", "token", "password", "sha256");
    private static final Pattern SUB_VAR = Pattern.compile("\\$\\{([^}!][^}]*)}");

    private final CfnTemplate t;
    private final Path projectRoot;

    /** @param projectRoot folder the CodeUri paths are relative to */
    TemplateChecks(CfnTemplate template, Path projectRoot) {
        this.t = template;
        this.projectRoot = projectRoot;
    }

    List<String> all() {
        List<String> p = new ArrayList<>();
        p.addAll(functionsHaveCodeHandlerRuntime());
        p.addAll(httpApiEvents());
        p.addAll(queuesHaveRedrive());
        p.addAll(sqsEventSources());
        p.addAll(tables());
        p.addAll(warmingTickIsScheduled());
        p.addAll(policiesAreLeastPrivilege());
        p.addAll(referencesResolve());
        p.addAll(secretParametersAreNoEcho());
        p.addAll(functionEnvironmentsCarryNoSecretValues());
        p.addAll(functionsReadOnlyTheirOwnSecrets());
        p.addAll(outputs());
        p.addAll(dataIsRetained());
        p.addAll(functionLogGroups());
        p.addAll(httpApiAccessLogs());
        p.addAll(routeThrottling());
        p.addAll(testOnlySwitchesAreNeverSet());
        p.addAll(sesSendingIsLimitedToTheSenderAllowlist());
        p.addAll(sendBatchConcurrencyIsCapped());
        p.addAll(alarms());
        p.addAll(dashboards());
        return p;
    }

    static final String ALARM = "AWS::CloudWatch::Alarm";
    static final String DASHBOARD = "AWS::CloudWatch::Dashboard";

    /**
     * Every dead-letter queue has an alarm on its first message and every function on its errors and on its
     * throttles; every alarm notifies the alarm topic, which exists only when an alarm e-mail is given.
     */
    List<String> alarms() {
        List<String> p = new ArrayList<>();
        Map<String, Map<String, Object>> alarms = t.resourcesOfType(ALARM);
        Set<String> deadLetterQueues = new java.util.TreeSet<>();
        t.resourcesOfType(QUEUE).forEach((id, r) -> {
            String target = getAttArnTarget(map(props(r).get("RedrivePolicy")).get("deadLetterTargetArn"));
            if (target != null) {
                deadLetterQueues.add(target);
            }
        });
        for (String dlq : deadLetterQueues) {
            Object queueName = Map.of("Fn::GetAtt", List.of(dlq, "QueueName"));
            if (alarms.values().stream().noneMatch(a -> watches(a, "AWS/SQS", "ApproximateNumberOfMessagesVisible",
                    "QueueName", queueName) && firesAboveZero(a))) {
                p.add(dlq + ": no alarm on ApproximateNumberOfMessagesVisible > 0 (a message given up on must be seen)");
            }
        }
        functions().keySet().forEach(fn -> {
            for (String metric : List.of("Errors", "Throttles")) {
                if (alarms.values().stream().noneMatch(a -> watches(a, "AWS/Lambda", metric, "FunctionName",
                        Map.of("Ref", fn)) && firesAboveZero(a))) {
                    p.add(fn + ": no alarm on its " + metric + " > 0");
                }
            }
        });
        Object actions = Map.of("Fn::If", List.of("HasAlarmEmail", List.of(Map.of("Ref", "AlarmTopic")),
                Map.of("Ref", "AWS::NoValue")));
        alarms.forEach((id, a) -> {
            if (!actions.equals(props(a).get("AlarmActions"))) {
                p.add(id + ": AlarmActions is " + props(a).get("AlarmActions")
                        + ", not !If [HasAlarmEmail, [!Ref AlarmTopic], !Ref AWS::NoValue]");
            }
        });
        if (!alarms.isEmpty()) {
            Map<String, Object> topic = t.resources().get("AlarmTopic");
            if (topic == null || !"AWS::SNS::Topic".equals(topic.get("Type")) || !"HasAlarmEmail".equals(topic.get("Condition"))) {
                p.add("AlarmTopic: no AWS::SNS::Topic with Condition HasAlarmEmail (the alarm e-mail is optional)");
            }
            Object condition = map(t.root().get("Conditions")).get("HasAlarmEmail");
            Object expected = Map.of("Fn::Not", List.of(Map.of("Fn::Equals", List.of(Map.of("Ref", "AlarmEmail"), ""))));
            if (!expected.equals(condition)) {
                p.add("Conditions.HasAlarmEmail is " + condition + ", not !Not [!Equals [!Ref AlarmEmail, '']]");
            }
        }
        return p;
    }

    /** Each dashboard's body is a !Sub of JSON (with every ${...} substituted) holding widgets. */
    List<String> dashboards() {
        List<String> p = new ArrayList<>();
        t.resourcesOfType(DASHBOARD).forEach((id, r) -> {
            String body = text(props(r).get("DashboardBody"));
            if (body == null) {
                p.add(id + ": DashboardBody is not a string or a one-argument !Sub");
                return;
            }
            Object parsed;
            try {
                // JSON is YAML's flow style; ${...} are replaced the way CloudFormation would, by plain text.
                parsed = new org.yaml.snakeyaml.Yaml(new org.yaml.snakeyaml.constructor.SafeConstructor(
                        new org.yaml.snakeyaml.LoaderOptions())).load(SUB_VAR.matcher(body).replaceAll("x"));
            } catch (RuntimeException e) {
                p.add(id + ": DashboardBody is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
                return;
            }
            if (!(map(parsed).get("widgets") instanceof List<?> widgets) || widgets.isEmpty()) {
                p.add(id + ": DashboardBody has no widgets");
            }
        });
        return p;
    }

    private static boolean watches(Map<String, Object> alarm, String namespace, String metric, String dimension,
            Object value) {
        Map<String, Object> props = props(alarm);
        return namespace.equals(props.get("Namespace")) && metric.equals(props.get("MetricName"))
                && props.get("Dimensions") instanceof List<?> dims && dims.size() == 1
                && dimension.equals(map(dims.get(0)).get("Name")) && value.equals(map(dims.get(0)).get("Value"));
    }

    private static boolean firesAboveZero(Map<String, Object> alarm) {
        Double threshold = number(props(alarm).get("Threshold"));
        return "GreaterThanThreshold".equals(props(alarm).get("ComparisonOperator")) && threshold != null && threshold == 0;
    }

    List<String> functionsHaveCodeHandlerRuntime() {
        List<String> p = new ArrayList<>();
        Pattern codeUri = Pattern.compile("functions/([A-Za-z0-9._-]+)/target/function\\.zip");
        functions().forEach((id, r) -> {
            Map<String, Object> props = t.functionProperties(id);
            Object uri = props.get("CodeUri");
            Matcher m = uri instanceof String s ? codeUri.matcher(s) : null;
            if (m == null || !m.matches()) {
                p.add(id + ": CodeUri " + uri + " is not functions/<module>/target/function.zip");
            } else if (!Files.isDirectory(projectRoot.resolve("functions").resolve(m.group(1)))) {
                p.add(id + ": CodeUri " + uri + " names module folder functions/" + m.group(1) + ", which does not exist");
            }
            if (blank(props.get("Handler"))) {
                p.add(id + ": no Handler");
            }
            if (blank(props.get("Runtime"))) {
                p.add(id + ": no Runtime (own or Globals)");
            }
        });
        return p;
    }

    List<String> httpApiEvents() {
        List<String> p = new ArrayList<>();
        Map<String, String> routes = new LinkedHashMap<>();
        Map<String, Object> httpApi = t.resources().get("HttpApi");
        if (httpApi == null || !"AWS::Serverless::HttpApi".equals(httpApi.get("Type"))) {
            p.add("HttpApi: no AWS::Serverless::HttpApi resource named HttpApi");
        }
        functions().forEach((id, r) -> events(id).forEach((ev, e) -> {
            if (!"HttpApi".equals(e.get("Type"))) {
                return;
            }
            Map<String, Object> props = map(e.get("Properties"));
            if (!Map.of("Ref", "HttpApi").equals(props.get("ApiId"))) {
                p.add(id + "." + ev + ": HttpApi event without ApiId: !Ref HttpApi (found " + props.get("ApiId") + ")");
            }
            Object method = props.get("Method");
            Object path = props.get("Path");
            if (blank(method) || blank(path)) {
                p.add(id + "." + ev + ": HttpApi event needs Method and Path");
                return;
            }
            String route = String.valueOf(method).toUpperCase(Locale.ROOT) + " " + path;
            String previous = routes.putIfAbsent(route, id + "." + ev);
            if (previous != null) {
                p.add(id + "." + ev + ": route " + route + " is already declared by " + previous);
            }
        }));
        return p;
    }

    List<String> queuesHaveRedrive() {
        List<String> p = new ArrayList<>();
        Map<String, Map<String, Object>> queues = t.resourcesOfType(QUEUE);
        Set<String> dlqs = new HashSet<>();
        queues.forEach((id, r) -> {
            Object arn = map(props(r).get("RedrivePolicy")).get("deadLetterTargetArn");
            String target = getAttArnTarget(arn);
            if (target != null) {
                dlqs.add(target);
            }
        });
        queues.forEach((id, r) -> {
            if (dlqs.contains(id)) {
                return;
            }
            Map<String, Object> redrive = map(props(r).get("RedrivePolicy"));
            if (redrive.isEmpty()) {
                p.add(id + ": queue without RedrivePolicy (and no queue uses it as a DLQ)");
                return;
            }
            Object arn = redrive.get("deadLetterTargetArn");
            String target = getAttArnTarget(arn);
            if (target == null) {
                p.add(id + ": RedrivePolicy.deadLetterTargetArn " + arn + " is not !GetAtt <Queue>.Arn");
            } else if (!queues.containsKey(target)) {
                p.add(id + ": RedrivePolicy.deadLetterTargetArn names " + target + ", which is not a queue of the template");
            }
            Integer max = integer(redrive.get("maxReceiveCount"));
            if (max == null || max < 1) {
                p.add(id + ": RedrivePolicy.maxReceiveCount " + redrive.get("maxReceiveCount") + " is not >= 1");
            }
        });
        return p;
    }

    List<String> sqsEventSources() {
        List<String> p = new ArrayList<>();
        Map<String, Map<String, Object>> queues = t.resourcesOfType(QUEUE);
        functions().forEach((id, r) -> events(id).forEach((ev, e) -> {
            if (!"SQS".equals(e.get("Type"))) {
                return;
            }
            Map<String, Object> props = map(e.get("Properties"));
            if (!List.of("ReportBatchItemFailures").equals(props.get("FunctionResponseTypes"))) {
                p.add(id + "." + ev + ": SQS event without FunctionResponseTypes: [ReportBatchItemFailures]");
            }
            String queue = getAttArnTarget(props.get("Queue"));
            if (queue == null || !queues.containsKey(queue)) {
                p.add(id + "." + ev + ": Queue " + props.get("Queue") + " is not !GetAtt <Queue>.Arn of a template queue");
                return;
            }
            Integer visibility = integer(props(queues.get(queue)).getOrDefault("VisibilityTimeout", 30));
            Integer timeout = integer(t.functionProperties(id).getOrDefault("Timeout", 3));
            if (visibility == null || timeout == null || visibility < 6 * timeout) {
                p.add(id + "." + ev + ": " + queue + " VisibilityTimeout " + visibility + " < 6 x function Timeout " + timeout);
            }
        }));
        return p;
    }

    List<String> tables() {
        List<String> p = new ArrayList<>();
        t.resourcesOfType(TABLE).forEach((id, r) -> {
            Map<String, Object> props = props(r);
            if (!"PAY_PER_REQUEST".equals(props.get("BillingMode"))) {
                p.add(id + ": BillingMode " + props.get("BillingMode") + " is not PAY_PER_REQUEST");
            }
            if (!Boolean.TRUE.equals(map(props.get("PointInTimeRecoverySpecification")).get("PointInTimeRecoveryEnabled"))) {
                p.add(id + ": PointInTimeRecoveryEnabled is not true");
            }
            if (props.containsKey("TimeToLiveSpecification")) {
                Map<String, Object> ttl = map(props.get("TimeToLiveSpecification"));
                if (!Boolean.TRUE.equals(ttl.get("Enabled")) || blank(ttl.get("AttributeName"))) {
                    p.add(id + ": TimeToLiveSpecification needs Enabled: true and an AttributeName");
                }
            }
        });
        return p;
    }

    List<String> warmingTickIsScheduled() {
        if (!functions().containsKey("WarmingTickFunction")) {
            return List.of("WarmingTickFunction: not declared");
        }
        boolean scheduled = events("WarmingTickFunction").values().stream()
                .anyMatch(e -> "Schedule".equals(e.get("Type")) || "ScheduleV2".equals(e.get("Type")));
        return scheduled ? List.of() : List.of("WarmingTickFunction: no Schedule/ScheduleV2 event");
    }

    /**
     * SAM policy templates that grant only one narrow read on the resource they name; every other template (e.g.
     * DynamoDBReadPolicy, which includes Scan, DynamoDBCrudPolicy, SQSSendMessagePolicy's sqs:SendMessage*) grants more
     * than a function calls, so the template states its actions explicitly instead.
     */
    static final Set<String> NARROW_POLICY_TEMPLATES = Set.of("AWSSecretsManagerGetSecretValuePolicy",
            "SSMParameterReadPolicy", "SSMParameterWithSlashPrefixReadPolicy", "KMSDecryptPolicy");

    /** Actions that have no resource-level permissions in IAM, so Resource "*" is the only way to grant them. */
    static final Set<String> RESOURCE_STAR_ONLY = Set.of("xray:puttracesegments", "xray:puttelemetryrecords",
            "cloudwatch:putmetricdata", "ses:getsendquota", "ses:getaccount", "ssm:describeparameters");

    private static final String MIGRATION = "the address migration (DynamoDbAddressMigration, issue 8 item 3) moves "
            + "records keyed by an earlier version's address form to their identity key: a one-time pass after an upgrade";

    /**
     * The only rights to delete data that a function needs, each with the code that needs it ("function action
     * resource" -> why). BatchWriteItem counts as a delete right: IAM has no put-only batch action.
     */
    static final Map<String, String> JUSTIFIED_DELETES = Map.ofEntries(
            Map.entry("ApiFunction dynamodb:DeleteItem SuppressionsTable",
                    "resubscribe lifts the subscriber's own unsubscribe: DynamoDbSubscriberStore.removeSuppression, a "
                            + "DeleteItem conditional on the suppression's reason"),
            Map.entry("ApiFunction dynamodb:BatchWriteItem SubscribersTable",
                    "bulk import writes profiles 25 per request: DynamoDbSubscriberStore.writeProfiles"),
            Map.entry("ApiFunction dynamodb:BatchWriteItem SegmentMembersTable",
                    "segment memberships are added and removed in batches: DynamoDbSubscriberStore.add/removeMemberships"),
            Map.entry("ApiFunction dynamodb:DeleteItem EngagementTable", MIGRATION),
            Map.entry("ApiFunction dynamodb:DeleteItem SubscribersTable",
                    "POST /subscribers/{email}/erase deletes the person's profile: DynamoDbPersonalData.erase"),
            Map.entry("ApiFunction dynamodb:BatchWriteItem EngagementTable",
                    "POST /subscribers/{email}/erase deletes the person's engagement history and per-campaign entries "
                            + "in batches: DynamoDbPersonalData.erase"),
            Map.entry("ApplyEngagementFunction dynamodb:BatchWriteItem EngagementTable",
                    "a queue message's history entries are written whole, marked applied, 25 per request (puts only): "
                            + "DynamoDbEngagementStore.recordApplied"),
            Map.entry("EnqueueCampaignFunction dynamodb:DeleteItem SubscribersTable", MIGRATION),
            Map.entry("EnqueueCampaignFunction dynamodb:DeleteItem SegmentMembersTable", MIGRATION),
            Map.entry("EnqueueCampaignFunction dynamodb:DeleteItem SuppressionsTable", MIGRATION),
            Map.entry("EnqueueCampaignFunction dynamodb:DeleteItem EngagementTable", MIGRATION),
            Map.entry("EnqueueCampaignFunction dynamodb:BatchWriteItem SubscribersTable", MIGRATION),
            Map.entry("EnqueueCampaignFunction dynamodb:BatchWriteItem SegmentMembersTable", MIGRATION),
            Map.entry("EnqueueCampaignFunction dynamodb:BatchWriteItem SuppressionsTable", MIGRATION),
            Map.entry("EnqueueCampaignFunction dynamodb:BatchWriteItem EngagementTable", MIGRATION));

    /**
     * The only whole-table reads ("function table" -> why). Every read of the product's own work is a GetItem,
     * BatchGetItem or Query by key; the one exception is the address migration, which must find records it cannot
     * name. (It runs in the API, on request, and in enqueue-campaign before the first campaign after an upgrade; once
     * every stack has migrated, the migration and these rights can go.)
     */
    static final Map<String, String> JUSTIFIED_SCANS = Map.ofEntries(
            Map.entry("ApiFunction SubscribersTable", MIGRATION),
            Map.entry("ApiFunction SegmentMembersTable", MIGRATION),
            Map.entry("ApiFunction SuppressionsTable", MIGRATION),
            Map.entry("ApiFunction EngagementTable", MIGRATION),
            Map.entry("ApiFunction CampaignsTable", MIGRATION + "; and GET /system/status lists the campaigns sending "
                    + "now (DynamoDbCampaignStore.sendingNow: a filtered, projected Scan, one item per campaign)"),
            Map.entry("EnqueueCampaignFunction SubscribersTable", MIGRATION),
            Map.entry("EnqueueCampaignFunction SegmentMembersTable", MIGRATION),
            Map.entry("EnqueueCampaignFunction SuppressionsTable", MIGRATION),
            Map.entry("EnqueueCampaignFunction EngagementTable", MIGRATION),
            Map.entry("EnqueueCampaignFunction CampaignsTable", MIGRATION),
            Map.entry("ApiFunction SendLedgerTable", "data requests find a person's send-ledger entries (batches hold "
                    + "many recipients, no index by address): DynamoDbPersonalData.ledgerItems, a projected Scan per "
                    + "export or erasure, bounded by the ledger's TTL"),
            Map.entry("ReportFunction CampaignsTable", "the dashboard's GET /reports/status lists the campaigns sending "
                    + "now, as the api's /system/status does (DynamoDbActiveCampaigns: a filtered, projected Scan of at "
                    + "most 5 pages, one item per campaign)"));

    /**
     * Least privilege: every function declares its Policies (an empty list when it calls no AWS service), in explicit
     * statements (or a narrow SAM policy template); no wildcard action, no Resource "*" for actions that can name a
     * resource, no PartiQL, a Scan only where {@link #JUSTIFIED_SCANS} says which code needs it, and a right to
     * delete data only where {@link #JUSTIFIED_DELETES} says which code needs it.
     */
    List<String> policiesAreLeastPrivilege() {
        List<String> p = new ArrayList<>();
        functions().forEach((id, r) -> {
            Object policies = t.functionProperties(id).get("Policies");
            if (policies == null) {
                p.add(id + ": no Policies (declare Policies: [] for a function that calls no AWS service)");
                return;
            }
            List<?> list = policies instanceof List<?> l ? l : List.of(policies);
            for (Object policy : list) {
                if (policy instanceof String name) {
                    p.add(id + ": managed policy " + name + " grants more than the function calls; write the statements");
                } else if (policy instanceof Map<?, ?> m && m.containsKey("Statement")) {
                    Object statements = m.get("Statement");
                    for (Object s : statements instanceof List<?> sl ? sl : List.of(statements)) {
                        checkStatement(id, map(s), p);
                    }
                } else if (policy instanceof Map<?, ?> m && m.size() == 1
                        && String.valueOf(m.keySet().iterator().next()).endsWith("Policy")) {
                    String template = String.valueOf(m.keySet().iterator().next());
                    if (!NARROW_POLICY_TEMPLATES.contains(template)) {
                        p.add(id + ": SAM policy template " + template + " grants more than the function calls "
                                + "(e.g. Scan, DeleteItem or a wildcard action); write the statements");
                    }
                } else {
                    p.add(id + ": unrecognised policy entry " + policy);
                }
            }
        });
        return p;
    }

    private static void checkStatement(String id, Map<String, Object> s, List<String> p) {
        if (!"Allow".equals(s.get("Effect"))) {
            return;
        }
        if (s.containsKey("NotAction") || s.containsKey("NotResource")) {
            p.add(id + ": Allow statement with NotAction/NotResource is too broad");
        }
        List<String> actions = strings(s.get("Action"));
        Object resourceNode = s.get("Resource");
        List<Object> resources = resourceNode instanceof List<?> l ? new ArrayList<>(l)
                : resourceNode == null ? List.of() : List.of(resourceNode);
        for (String a : actions) {
            String lower = a.toLowerCase(Locale.ROOT);
            if (lower.contains("*")) {
                p.add(id + ": grants action " + a + " (a wildcard action grants whatever the service adds)");
            }
            if (lower.startsWith("dynamodb:partiql")) {
                p.add(id + ": grants " + a + ", which reads whole tables; no code here needs it");
            }
            if (lower.equals("dynamodb:scan")) {
                for (Object resource : resources) {
                    if (!JUSTIFIED_SCANS.containsKey(id + " " + resourceId(resource))) {
                        p.add(id + ": grants " + a + " on " + resourceId(resource) + ", which reads whole tables; no code "
                                + "of the function is known to need it (justify it in TemplateChecks.JUSTIFIED_SCANS)");
                    }
                }
            }
            for (Object resource : resources) {
                if ("*".equals(resource) && !RESOURCE_STAR_ONLY.contains(lower)) {
                    p.add(id + ": grants " + a + " on Resource *");
                }
                if (isDeleteRight(lower)) {
                    String key = id + " " + a + " " + resourceId(resource);
                    if (!JUSTIFIED_DELETES.containsKey(key)) {
                        p.add(id + ": grants " + a + " on " + resourceId(resource) + ", a right to delete that no code of "
                                + "the function is known to need (justify it in TemplateChecks.JUSTIFIED_DELETES)");
                    }
                }
            }
            if (resources.stream().map(TemplateChecks::text).anyMatch(str -> str != null && !str.equals("*") && str.contains("*")
                    && (lower.startsWith("dynamodb:") || lower.startsWith("sqs:")))) {
                p.add(id + ": grants " + a + " on a wildcard ARN; name the table, index or queue");
            }
        }
    }

    private static boolean isDeleteRight(String lowerAction) {
        String verb = lowerAction.substring(lowerAction.indexOf(':') + 1);
        return verb.startsWith("delete") || verb.startsWith("purge") || verb.startsWith("remove")
                || verb.equals("batchwriteitem");
    }

    /** The logical id a statement's resource names ({@code !GetAtt X.Arn}, {@code !Sub '${X.Arn}/index/I'}), else its text. */
    private static String resourceId(Object resource) {
        String target = getAttArnTarget(resource);
        if (target != null) {
            return target;
        }
        if (resource instanceof Map<?, ?> m && m.size() == 1 && m.get("Fn::Sub") instanceof String text) {
            Matcher matcher = Pattern.compile("^\\$\\{([A-Za-z0-9]+)\\.Arn}(/index/[A-Za-z0-9_.-]+)?$").matcher(text);
            if (matcher.matches()) {
                return matcher.group(1) + (matcher.group(2) == null ? "" : matcher.group(2));
            }
        }
        return String.valueOf(resource);
    }

    List<String> referencesResolve() {
        List<String> p = new ArrayList<>();
        Set<String> names = new HashSet<>(t.resources().keySet());
        names.addAll(t.parameters().keySet());
        names.addAll(PSEUDO_PARAMETERS);
        walk(t.root(), "", names, p);
        return p;
    }

    private void walk(Object node, String where, Set<String> names, List<String> p) {
        if (node instanceof Map<?, ?> m) {
            if (m.size() == 1) {
                Map.Entry<?, ?> e = m.entrySet().iterator().next();
                Object v = e.getValue();
                switch (String.valueOf(e.getKey())) {
                    case "Ref" -> {
                        if (v instanceof String s && !names.contains(s)) {
                            p.add(where + ": !Ref " + s + " names no resource, parameter or pseudo parameter");
                        }
                    }
                    case "Fn::GetAtt" -> {
                        Object target = v instanceof List<?> l && !l.isEmpty() ? l.get(0)
                                : v instanceof String s ? s.split("\\.", 2)[0] : null;
                        if (!(target instanceof String s) || !t.resources().containsKey(s)) {
                            p.add(where + ": !GetAtt " + v + " names no resource");
                        }
                    }
                    case "Fn::Sub" -> {
                        String text = v instanceof String s ? s : v instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof String s ? s : "";
                        Set<String> local = v instanceof List<?> l && l.size() > 1 && l.get(1) instanceof Map<?, ?> vars
                                ? vars.keySet().stream().map(String::valueOf).collect(java.util.stream.Collectors.toSet()) : Set.of();
                        Matcher matcher = SUB_VAR.matcher(text);
                        while (matcher.find()) {
                            String ref = matcher.group(1).trim();
                            String base = ref.startsWith("AWS::") ? ref : ref.split("\\.", 2)[0];
                            if (!local.contains(ref) && !(ref.contains(".") && !ref.startsWith("AWS::")
                                    ? t.resources().containsKey(base) : names.contains(base))) {
                                p.add(where + ": !Sub ${" + ref + "} names no resource, parameter or pseudo parameter");
                            }
                        }
                    }
                    default -> {
                    }
                }
            }
            m.forEach((k, v) -> walk(v, where.isEmpty() ? String.valueOf(k) : where + "." + k, names, p));
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                walk(l.get(i), where + "[" + i + "]", names, p);
            }
        }
    }

    List<String> secretParametersAreNoEcho() {
        List<String> p = new ArrayList<>();
        t.parameters().forEach((name, decl) -> {
            // A public key (e.g. SendGrid's webhook verification key) is published by design: not a secret.
            String lower = name.toLowerCase(Locale.ROOT).replace("publickey", "");
            if (SECRET_WORDS.stream().anyMatch(lower::contains) && !Boolean.TRUE.equals(decl.get("NoEcho"))) {
                p.add("Parameter " + name + ": looks like a secret but has no NoEcho: true");
            }
        });
        return p;
    }

    /**
     * A function's environment is readable by anyone who may read the function's configuration, and is printed by
     * tools: it may hold a secret's ARN, never its value. So no variable takes a NoEcho parameter or a dynamic
     * reference ({{resolve:secretsmanager:...}} puts the value in), and a variable whose name says secret is
     * {@code !Ref} of an AWS::SecretsManager::Secret.
     */
    List<String> functionEnvironmentsCarryNoSecretValues() {
        List<String> p = new ArrayList<>();
        Set<String> noEcho = new HashSet<>();
        t.parameters().forEach((name, decl) -> {
            if (Boolean.TRUE.equals(decl.get("NoEcho")) || "true".equalsIgnoreCase(String.valueOf(decl.get("NoEcho")))) {
                noEcho.add(name);
            }
        });
        Set<String> secrets = t.resourcesOfType(SECRET).keySet();
        functions().forEach((id, r) -> environment(id).forEach((name, value) -> {
            for (String ref : references(value)) {
                if (noEcho.contains(ref)) {
                    p.add(id + ": environment variable " + name + " carries NoEcho parameter " + ref
                            + " (keep the value in a Secrets Manager secret and pass its ARN)");
                }
            }
            if (String.valueOf(value).contains("{{resolve:secretsmanager") || String.valueOf(value).contains("{{resolve:ssm-secure")) {
                p.add(id + ": environment variable " + name + " uses a dynamic reference, which puts the secret's value "
                        + "into the environment");
            }
            String lower = name.toLowerCase(Locale.ROOT).replace("public_key", "");
            boolean secretRef = value instanceof Map<?, ?> m && m.size() == 1 && m.get("Ref") instanceof String target
                    && secrets.contains(target);
            if (SECRET_WORDS.stream().anyMatch(lower::contains) && !secretRef) {
                p.add(id + ": environment variable " + name + " looks like a secret but is not !Ref of an "
                        + "AWS::SecretsManager::Secret (functions get a secret's ARN, never its value)");
            }
        }));
        return p;
    }

    /**
     * Each function may read its own secrets (those its environment names) and no other: secretsmanager actions are
     * GetSecretValue only, on secrets named one by one with {@code !Ref} (no wildcard), each of them its own; and each
     * secret its environment names is granted.
     */
    List<String> functionsReadOnlyTheirOwnSecrets() {
        List<String> p = new ArrayList<>();
        Set<String> secrets = t.resourcesOfType(SECRET).keySet();
        functions().forEach((id, r) -> {
            Set<String> own = new java.util.TreeSet<>();
            environment(id).values().forEach(v -> references(v).stream().filter(secrets::contains).forEach(own::add));
            Set<String> granted = new java.util.TreeSet<>();
            Object policies = t.functionProperties(id).get("Policies");
            for (Object policy : policies instanceof List<?> l ? l : policies == null ? List.of() : List.of(policies)) {
                if (policy instanceof String name && name.toLowerCase(Locale.ROOT).contains("secretsmanager")) {
                    p.add(id + ": managed policy " + name + " reads secrets beyond the function's own");
                } else if (policy instanceof Map<?, ?> m && m.containsKey("Statement")) {
                    Object statements = m.get("Statement");
                    for (Object st : statements instanceof List<?> sl ? sl : List.of(statements)) {
                        secretStatement(id, map(st), secrets, granted, p);
                    }
                } else if (policy instanceof Map<?, ?> m && m.size() == 1
                        && String.valueOf(m.keySet().iterator().next()).toLowerCase(Locale.ROOT).contains("secretsmanager")) {
                    Object arn = map(m.values().iterator().next()).get("SecretArn");
                    if (arn instanceof Map<?, ?> ref && ref.get("Ref") instanceof String target && secrets.contains(target)) {
                        granted.add(target);
                    } else {
                        p.add(id + ": policy template " + m.keySet().iterator().next() + " names no secret of the template "
                                + "with !Ref (" + arn + ")");
                    }
                }
            }
            for (String secret : granted) {
                if (!own.contains(secret)) {
                    p.add(id + ": may read " + secret + ", which is not its own (its environment does not name it)");
                }
            }
            for (String secret : own) {
                if (!granted.contains(secret)) {
                    p.add(id + ": its environment names " + secret + " but no policy lets it read it");
                }
            }
        });
        return p;
    }

    private static void secretStatement(String id, Map<String, Object> s, Set<String> secrets, Set<String> granted,
            List<String> p) {
        if (!"Allow".equals(s.get("Effect"))) {
            return;
        }
        List<String> actions = strings(s.get("Action"));
        if (actions.stream().noneMatch(a -> a.toLowerCase(Locale.ROOT).startsWith("secretsmanager:") || a.equals("*"))) {
            return;
        }
        for (String a : actions) {
            if (!a.equals("secretsmanager:GetSecretValue")) {
                p.add(id + ": grants " + a + " (a function only needs secretsmanager:GetSecretValue)");
            }
        }
        Object resources = s.get("Resource");
        for (Object res : resources instanceof List<?> l ? l : List.of(resources == null ? "<none>" : resources)) {
            if (res instanceof Map<?, ?> ref && ref.size() == 1 && ref.get("Ref") instanceof String target && secrets.contains(target)) {
                granted.add(target);
            } else {
                p.add(id + ": grants secretsmanager on " + res + ": name each secret of the template with !Ref");
            }
        }
    }

    /** The function's environment variables (Globals merged), unresolved. */
    private Map<String, Object> environment(String functionId) {
        return map(map(t.functionProperties(functionId).get("Environment")).get("Variables"));
    }

    /** Every name a value refers to with Ref, GetAtt or Sub. */
    private static Set<String> references(Object value) {
        Set<String> out = new HashSet<>();
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                String key = String.valueOf(k);
                if (key.equals("Ref") && v instanceof String s) {
                    out.add(s);
                } else if (key.equals("Fn::GetAtt")) {
                    Object target = v instanceof List<?> l && !l.isEmpty() ? l.get(0) : v instanceof String s ? s.split("\\.", 2)[0] : null;
                    if (target instanceof String s) {
                        out.add(s);
                    }
                } else if (key.equals("Fn::Sub")) {
                    String text = v instanceof String s ? s : v instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof String s ? s : "";
                    Matcher matcher = SUB_VAR.matcher(text);
                    while (matcher.find()) {
                        out.add(matcher.group(1).trim().split("\\.", 2)[0]);
                    }
                }
                out.addAll(references(v));
            });
        } else if (value instanceof List<?> l) {
            l.forEach(x -> out.addAll(references(x)));
        }
        return out;
    }

    List<String> outputs() {
        Map<String, Object> outputs = map(t.root().get("Outputs"));
        Map<String, Object> apiUrl = map(outputs.get("ApiUrl"));
        if (apiUrl.isEmpty()) {
            return List.of("Outputs: no ApiUrl");
        }
        Object value = apiUrl.get("Value");
        String text = String.valueOf(value);
        boolean fromHttpApi = text.contains("${HttpApi}") || text.contains("${HttpApi.") || text.contains("Ref=HttpApi")
                || text.contains("Fn::GetAtt=[HttpApi,");
        return fromHttpApi ? List.of() : List.of("Outputs.ApiUrl: not built from HttpApi (" + value + ")");
    }

    // ------------------------------------------------------------------ operational guards

    static final String LOG_GROUP = "AWS::Logs::LogGroup";
    /** Route prefixes open to the world (provider webhooks, unsubscribe links) that get their own, lower throttle. */
    static final List<String> THROTTLED_PREFIXES = List.of("/webhooks/", "/u/", "/c/", "/p/");
    /**
     * HTTP API access log variables that carry no secret and no personal data. Left out on purpose: $context.path
     * (holds the unsubscribe token of /u/{token} and the address of /subscribers/{email}; $context.routeKey names
     * the route without them), $context.identity.* (source IP and user agent are personal data), $context.authorizer.*,
     * and the integration's own error text ($context.integrationErrorMessage, $context.integration.error), which
     * can quote a request.
     */
    static final Set<String> SAFE_ACCESS_LOG_VARIABLES = Set.of("requestId", "extendedRequestId", "requestTime",
            "requestTimeEpoch", "routeKey", "httpMethod", "protocol", "status", "responseLength", "responseLatency",
            "integrationLatency", "integrationStatus", "integration.status", "integration.latency", "error.message",
            "error.responseType", "domainName", "stage", "apiId", "dataProcessed");
    private static final Pattern LOG_VARIABLE = Pattern.compile("\\$([A-Za-z]+)((?:\\.[A-Za-z0-9_-]+)*)");

    /**
     * Every table holds subscribers, suppressions or history that no redeploy can rebuild (profiles, memberships,
     * suppressions, campaigns, the exactly-once send ledger, counters and import receipts, engagement history), and
     * every queue holds work not yet done (batches to send, bounces and complaints not yet applied): a stack
     * deletion or a replacing update must keep them.
     */
    List<String> dataIsRetained() {
        List<String> p = new ArrayList<>();
        Map<String, Map<String, Object>> stateful = new LinkedHashMap<>(t.resourcesOfType(TABLE));
        stateful.putAll(t.resourcesOfType(QUEUE));
        stateful.forEach((id, r) -> {
            for (String policy : List.of("DeletionPolicy", "UpdateReplacePolicy")) {
                if (!"Retain".equals(r.get(policy))) {
                    p.add(id + ": " + policy + " is " + r.get(policy) + ", not Retain: deleting or replacing the stack "
                            + "would delete its data");
                }
            }
        });
        return p;
    }

    /**
     * Each function logs to its own log group, declared in the template with a retention period, named the way
     * Lambda names it (/aws/lambda/FUNCTION_NAME) and wired through LoggingConfig so the group exists before the function
     * can run (no circular dependency: the log group names the function by the same text, not by !Ref).
     */
    List<String> functionLogGroups() {
        List<String> p = new ArrayList<>();
        Map<String, Map<String, Object>> groups = t.resourcesOfType(LOG_GROUP);
        functions().forEach((id, r) -> {
            Map<String, Object> props = t.functionProperties(id);
            Object logGroupRef = map(props.get("LoggingConfig")).get("LogGroup");
            String groupId = logGroupRef instanceof Map<?, ?> m && m.size() == 1 && m.get("Ref") instanceof String g ? g : null;
            if (groupId == null || !groups.containsKey(groupId)) {
                p.add(id + ": LoggingConfig.LogGroup is " + logGroupRef + ", not !Ref of an AWS::Logs::LogGroup of the template");
                return;
            }
            String functionName = text(props.get("FunctionName"));
            String groupName = text(props(groups.get(groupId)).get("LogGroupName"));
            if (functionName == null || groupName == null || !groupName.equals("/aws/lambda/" + functionName)) {
                p.add(id + ": log group " + groupId + " is named " + groupName + ", not /aws/lambda/<FunctionName "
                        + functionName + ">");
            }
        });
        groups.forEach((id, r) -> p.addAll(retention(id, props(r))));
        return p;
    }

    private List<String> retention(String groupId, Map<String, Object> props) {
        Object days = props.get("RetentionInDays");
        String parameter = days instanceof Map<?, ?> m && m.size() == 1 && m.get("Ref") instanceof String name ? name : null;
        if (parameter == null || !t.parameters().containsKey(parameter)) {
            return List.of(groupId + ": RetentionInDays is " + days + ", not !Ref of a parameter (logs would be kept "
                    + "forever or at a value no operator can change)");
        }
        Integer def = integer(t.parameters().get(parameter).get("Default"));
        if (def == null || def < 1 || def > 400) {
            return List.of(groupId + ": RetentionInDays parameter " + parameter + " has Default " + def
                    + "; give it a sensible default (1 to 400 days)");
        }
        return List.of();
    }

    /** HTTP API access logs go to a log group with a retention period, in a format without secrets or bodies. */
    List<String> httpApiAccessLogs() {
        Map<String, Object> settings = map(props(t.resources().getOrDefault("HttpApi", Map.of())).get("AccessLogSettings"));
        if (settings.isEmpty()) {
            return List.of("HttpApi: no AccessLogSettings");
        }
        List<String> p = new ArrayList<>();
        String group = getAttArnTarget(settings.get("DestinationArn"));
        if (group == null || !t.resourcesOfType(LOG_GROUP).containsKey(group)) {
            p.add("HttpApi: AccessLogSettings.DestinationArn " + settings.get("DestinationArn")
                    + " is not !GetAtt <LogGroup>.Arn of a log group of the template");
        } else {
            p.addAll(retention(group, props(t.resources().get(group))));
        }
        if (!(settings.get("Format") instanceof String format) || format.isBlank()) {
            p.add("HttpApi: AccessLogSettings.Format is not a string");
            return p;
        }
        Matcher m = LOG_VARIABLE.matcher(format);
        while (m.find()) {
            String variable = m.group(2).isEmpty() ? "" : m.group(2).substring(1);
            if (!"context".equals(m.group(1)) || !SAFE_ACCESS_LOG_VARIABLES.contains(variable)) {
                p.add("HttpApi: access log variable " + m.group() + " may carry a secret or personal data "
                        + "(allowed: $context." + String.join(", $context.", new java.util.TreeSet<>(SAFE_ACCESS_LOG_VARIABLES)) + ")");
            }
        }
        for (String needed : List.of("$context.requestId", "$context.routeKey", "$context.status")) {
            if (!format.contains(needed)) {
                p.add("HttpApi: access log format lacks " + needed);
            }
        }
        return p;
    }

    /**
     * Routes open to the world (/webhooks/*, /u/*) have their own throttle, from parameters whose defaults are below
     * the API's default, so a flood there cannot use up what the rest of the API needs; every RouteSettings key names
     * a route the template declares (API Gateway refuses the stage otherwise).
     */
    List<String> routeThrottling() {
        List<String> p = new ArrayList<>();
        Map<String, Object> api = props(t.resources().getOrDefault("HttpApi", Map.of()));
        Map<String, Object> defaults = map(api.get("DefaultRouteSettings"));
        Map<String, Object> routeSettings = map(api.get("RouteSettings"));
        Set<String> routes = new HashSet<>();
        functions().forEach((id, r) -> events(id).forEach((ev, e) -> {
            Map<String, Object> props = map(e.get("Properties"));
            if ("HttpApi".equals(e.get("Type")) && props.get("Method") != null && props.get("Path") != null) {
                routes.add(String.valueOf(props.get("Method")).toUpperCase(Locale.ROOT) + " " + props.get("Path"));
            }
        }));
        for (String key : routeSettings.keySet()) {
            if (!routes.contains(key)) {
                p.add("HttpApi.RouteSettings: " + key + " names no route of the template");
            }
        }
        for (String route : new java.util.TreeSet<>(routes)) {
            String path = route.substring(route.indexOf(' ') + 1);
            if (THROTTLED_PREFIXES.stream().noneMatch(path::startsWith)) {
                continue;
            }
            Map<String, Object> own = map(routeSettings.get(route));
            for (String limit : List.of("ThrottlingBurstLimit", "ThrottlingRateLimit")) {
                Object value = own.get(limit);
                String parameter = value instanceof Map<?, ?> m && m.size() == 1 && m.get("Ref") instanceof String n ? n : null;
                if (parameter == null || !t.parameters().containsKey(parameter)) {
                    p.add("HttpApi.RouteSettings: " + route + " has " + limit + " " + value + ", not !Ref of a parameter");
                    continue;
                }
                Double mine = number(t.parameters().get(parameter).get("Default"));
                Double whole = number(defaults.get(limit));
                if (mine == null || whole == null || mine >= whole) {
                    p.add("HttpApi.RouteSettings: " + route + " " + limit + " defaults to " + mine
                            + ", not below DefaultRouteSettings' " + whole);
                }
            }
        }
        return p;
    }

    /** A plain string, or the text of a one-argument !Sub: enough to compare two names built the same way. */
    private static String text(Object o) {
        if (o instanceof String s) {
            return s;
        }
        if (o instanceof Map<?, ?> m && m.size() == 1 && m.get("Fn::Sub") instanceof String s) {
            return s;
        }
        return null;
    }

    private static Double number(Object o) {
        try {
            return o instanceof Number n ? n.doubleValue() : o == null ? null : Double.valueOf(String.valueOf(o).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Variables that switch a production check off; process-webhook reads them under the test profile only. */
    static final List<String> TEST_ONLY_VARIABLES =
            List.of("WEBHOOK_VERIFY_AT", "SNS_CONFIRM_BASE_URL", "SNS_CERTIFICATE_DIR", "SNS_TEST_TRUST_ANCHOR",
                    "WARMING_CONFIG_FILE");

    /**
     * No function runs under another Quarkus profile than prod (the test profile turns test-only switches on), and
     * none is given a test-only switch: neither QUARKUS_PROFILE, nor quarkus.profile or a %profile property in
     * JVM options, nor the switches' variables (also under their property names, DISPATCH_WEBHOOKS_TEST_*).
     */
    List<String> testOnlySwitchesAreNeverSet() {
        List<String> p = new ArrayList<>();
        functions().forEach((id, r) -> {
            Map<String, Object> variables = map(map(t.functionProperties(id).get("Environment")).get("Variables"));
            variables.forEach((name, value) -> {
                String upper = name.toUpperCase(Locale.ROOT);
                if (upper.equals("QUARKUS_PROFILE") || upper.startsWith("DISPATCH_WEBHOOKS_TEST_")
                        || TEST_ONLY_VARIABLES.contains(upper)) {
                    p.add(id + ": sets " + name + ", a test-only switch");
                }
                String text = String.valueOf(value);
                if (upper.startsWith("JAVA_") && (text.contains("quarkus.profile") || text.contains("-D%"))) {
                    p.add(id + ": " + name + " selects a Quarkus profile");
                }
            });
        });
        return p;
    }

    /** A sample SenderAllowlist and what the ses:FromAddress condition built from it must allow and refuse. */
    static final String SAMPLE_SENDERS = "example.com,news@other.org";
    static final List<String> SAMPLE_ALLOWED = List.of("news@example.com", "anyone@example.com", "news@other.org");
    static final List<String> SAMPLE_REFUSED = List.of("news@mail.example.com", "billing@other.org",
            "ceo@bank.example.net", "news@example.com.evil.net", "News@other.org");

    /**
     * Every Allow of an SES send action carries a case-sensitive {@code ses:FromAddress} condition built from the
     * SenderAllowlist parameter (resolved here with {@link #SAMPLE_SENDERS}), and the API gets the same list.
     */
    List<String> sesSendingIsLimitedToTheSenderAllowlist() {
        List<String> p = new ArrayList<>();
        if (!t.parameters().containsKey("SenderAllowlist")) {
            p.add("Parameters: no SenderAllowlist");
            return p;
        }
        if (!Map.of("Ref", "SenderAllowlist").equals(map(map(t.functionProperties("ApiFunction").get("Environment"))
                .get("Variables")).get("SENDER_ALLOWLIST"))) {
            p.add("ApiFunction: SENDER_ALLOWLIST is not !Ref SenderAllowlist");
        }
        TemplateResources resolver = TemplateResources.of(t, Map.of("SenderAllowlist", SAMPLE_SENDERS),
                java.net.URI.create("http://127.0.0.1:9324"));
        functions().forEach((id, r) -> {
            Object policies = t.functionProperties(id).get("Policies");
            for (Object policy : policies instanceof List<?> l ? l : List.of()) {
                Object statements = map(policy).get("Statement");
                for (Object o : statements instanceof List<?> sl ? sl : statements == null ? List.of() : List.of(statements)) {
                    Map<String, Object> s = map(o);
                    boolean sends = strings(s.get("Action")).stream()
                            .anyMatch(a -> a.toLowerCase(Locale.ROOT).startsWith("ses:send") || a.equals("ses:*") || a.equals("*"));
                    if (!"Allow".equals(s.get("Effect")) || !sends) {
                        continue;
                    }
                    Object condition = map(map(s.get("Condition")).get("StringLike")).get("ses:FromAddress");
                    if (condition == null) {
                        p.add(id + ": allows SES sending without a StringLike ses:FromAddress condition");
                        continue;
                    }
                    List<String> patterns = strings(resolver.resolve(condition));
                    for (String from : SAMPLE_ALLOWED) {
                        if (patterns.stream().noneMatch(g -> glob(g).matcher(from).matches())) {
                            p.add(id + ": ses:FromAddress " + patterns + " refuses " + from + " (SenderAllowlist " + SAMPLE_SENDERS + ")");
                        }
                    }
                    for (String from : SAMPLE_REFUSED) {
                        if (patterns.stream().anyMatch(g -> glob(g).matcher(from).matches())) {
                            p.add(id + ": ses:FromAddress " + patterns + " allows " + from + " (SenderAllowlist " + SAMPLE_SENDERS + ")");
                        }
                    }
                }
            }
        });
        return p;
    }

    /** IAM StringLike: '*' any run of characters, '?' one character, case-sensitive. */
    private static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString());
    }

    /** send-batch's SQS event source caps its concurrency (ScalingConfig.MaximumConcurrency, 2 to 1000). */
    List<String> sendBatchConcurrencyIsCapped() {
        List<String> p = new ArrayList<>();
        if (!functions().containsKey("SendBatchFunction")) {
            return List.of("SendBatchFunction: not declared");
        }
        events("SendBatchFunction").forEach((name, e) -> {
            if (!"SQS".equals(e.get("Type"))) {
                return;
            }
            Integer max = integer(map(map(e.get("Properties")).get("ScalingConfig")).get("MaximumConcurrency"));
            if (max == null || max < 2 || max > 1000) {
                p.add("SendBatchFunction." + name + ": ScalingConfig.MaximumConcurrency must be 2 to 1000, got " + max);
            }
        });
        return p;
    }

    // ------------------------------------------------------------------ helpers

    private Map<String, Map<String, Object>> functions() {
        return t.resourcesOfType(FUNCTION);
    }

    private Map<String, Map<String, Object>> events(String functionId) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        map(props(t.resources().get(functionId)).get("Events")).forEach((k, v) -> out.put(k, map(v)));
        return out;
    }

    private static Map<String, Object> props(Map<String, Object> resource) {
        return map(resource.get("Properties"));
    }

    private static Map<String, Object> map(Object o) {
        return o instanceof Map ? CfnTemplate.asMap(o) : Map.of();
    }

    /** X for {@code !GetAtt X.Arn}, else null. */
    private static String getAttArnTarget(Object o) {
        if (o instanceof Map<?, ?> m && m.size() == 1 && m.get("Fn::GetAtt") instanceof List<?> l && l.size() == 2
                && "Arn".equals(l.get(1)) && l.get(0) instanceof String s) {
            return s;
        }
        return null;
    }

    private static List<String> strings(Object o) {
        if (o == null) {
            return List.of();
        }
        if (o instanceof List<?> l) {
            return l.stream().map(x -> x instanceof String s ? s : "<intrinsic>").toList();
        }
        return List.of(o instanceof String s ? s : "<intrinsic>");
    }

    private static Integer integer(Object o) {
        if (o instanceof Number n) {
            return n.intValue();
        }
        try {
            return o == null ? null : Integer.valueOf(String.valueOf(o).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean blank(Object o) {
        return o == null || String.valueOf(o).isBlank();
    }
}
