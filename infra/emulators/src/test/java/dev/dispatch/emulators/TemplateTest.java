package dev.dispatch.emulators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/** Keeps template.yaml honest: the house rules of {@link TemplateChecks}, on the real template and a broken one. */
class TemplateTest {

    static final Path ROOT = ProjectLayout.root();
    static final CfnTemplate REAL = CfnTemplate.load(ROOT.resolve("template.yaml"));
    static final TemplateChecks CHECKS = new TemplateChecks(REAL, ROOT);

    static void none(List<String> problems) {
        assertEquals(List.of(), problems, () -> "template.yaml problems:\n  " + String.join("\n  ", problems));
    }

    @Test
    void realTemplateDeclaresTheExpectedKinds() {
        assertFalse(REAL.resourcesOfType("AWS::Serverless::Function").isEmpty());
        assertFalse(REAL.resourcesOfType("AWS::SQS::Queue").isEmpty());
        assertFalse(REAL.resourcesOfType("AWS::DynamoDB::Table").isEmpty());
    }

    @Test
    void functionsHaveCodeUriHandlerAndRuntime() {
        none(CHECKS.functionsHaveCodeHandlerRuntime());
    }

    @Test
    void httpApiRoutesAreWellFormedAndUnique() {
        none(CHECKS.httpApiEvents());
    }

    @Test
    void everyWorkQueueHasADeadLetterQueue() {
        none(CHECKS.queuesHaveRedrive());
    }

    @Test
    void sqsEventSourcesReportBatchItemFailuresAndOutliveTheFunction() {
        none(CHECKS.sqsEventSources());
    }

    @Test
    void tablesAreOnDemandWithPitrAndSaneTtl() {
        none(CHECKS.tables());
    }

    @Test
    void warmingTickIsScheduled() {
        none(CHECKS.warmingTickIsScheduled());
    }

    @Test
    void policiesAreLeastPrivilege() {
        none(CHECKS.policiesAreLeastPrivilege());
    }

    @Test
    void everyReferenceResolves() {
        none(CHECKS.referencesResolve());
    }

    @Test
    void secretParametersAreNoEcho() {
        none(CHECKS.secretParametersAreNoEcho());
    }

    @Test
    void noFunctionRunsUnderTheTestProfileOrGetsATestOnlySwitch() {
        none(CHECKS.testOnlySwitchesAreNeverSet());
        TemplateChecks broken = new TemplateChecks(CfnTemplate.parse("""
                Globals:
                  Function:
                    Environment:
                      Variables:
                        QUARKUS_PROFILE: test
                Resources:
                  ProcessWebhookFunction:
                    Type: AWS::Serverless::Function
                    Properties:
                      Environment:
                        Variables:
                          WEBHOOK_VERIFY_AT: '2026-12-01T10:00:30Z'
                          DISPATCH_WEBHOOKS_TEST_SNS_TRUST_ANCHOR: /tmp/ca.pem
                          JAVA_TOOL_OPTIONS: -Dquarkus.profile=test
                """), ROOT);
        expect(broken, TemplateChecks::testOnlySwitchesAreNeverSet, "sets QUARKUS_PROFILE", "sets WEBHOOK_VERIFY_AT",
                "sets DISPATCH_WEBHOOKS_TEST_SNS_TRUST_ANCHOR", "JAVA_TOOL_OPTIONS selects a Quarkus profile");
    }

    @Test
    void noFunctionEnvironmentCarriesASecretValue() {
        none(CHECKS.functionEnvironmentsCarryNoSecretValues());
    }

    @Test
    void eachFunctionReadsOnlyItsOwnSecrets() {
        none(CHECKS.functionsReadOnlyTheirOwnSecrets());
    }

    @Test
    void apiUrlOutputComesFromHttpApi() {
        none(CHECKS.outputs());
    }

    @Test
    void tablesAndQueuesSurviveStackDeletionAndReplacement() {
        none(CHECKS.dataIsRetained());
    }

    @Test
    void everyFunctionLogsToItsOwnLogGroupWithRetention() {
        none(CHECKS.functionLogGroups());
    }

    @Test
    void httpApiAccessLogsCarryNoSecretsAndExpire() {
        none(CHECKS.httpApiAccessLogs());
    }

    @Test
    void webhookAndUnsubscribeRoutesHaveTheirOwnLowerThrottle() {
        none(CHECKS.routeThrottling());
    }

    @Test
    void sesSendingIsLimitedToTheSenderAllowlist() {
        none(CHECKS.sesSendingIsLimitedToTheSenderAllowlist());
    }

    @Test
    void sendBatchConcurrencyIsCapped() {
        none(CHECKS.sendBatchConcurrencyIsCapped());
    }

    @Test
    void everyDeadLetterQueueAndEveryFunctionHasItsAlarms_andTheAlarmEmailIsOptional() {
        none(CHECKS.alarms());
        assertFalse(REAL.resourcesOfType(TemplateChecks.ALARM).isEmpty());
    }

    @Test
    void theDashboardBodyIsJsonWithWidgets() {
        none(CHECKS.dashboards());
        assertFalse(REAL.resourcesOfType(TemplateChecks.DASHBOARD).isEmpty());
    }

    static final String BROKEN_MONITORING = """
            Conditions:
              HasAlarmEmail: !Equals [!Ref AlarmEmail, '']
            Resources:
              AlarmTopic:
                Type: AWS::SNS::Topic
              Dlq:
                Type: AWS::SQS::Queue
              Work:
                Type: AWS::SQS::Queue
                Properties:
                  RedrivePolicy: { deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 5 }
              WorkFunction:
                Type: AWS::Serverless::Function
              WorkErrors:
                Type: AWS::CloudWatch::Alarm
                Properties:
                  Namespace: AWS/Lambda
                  MetricName: Errors
                  Dimensions: [{ Name: FunctionName, Value: !Ref WorkFunction }]
                  Threshold: 0
                  ComparisonOperator: GreaterThanThreshold
                  AlarmActions: [!Ref AlarmTopic]
              DlqLate:
                Type: AWS::CloudWatch::Alarm
                Properties:
                  Namespace: AWS/SQS
                  MetricName: ApproximateNumberOfMessagesVisible
                  Dimensions: [{ Name: QueueName, Value: !GetAtt Dlq.QueueName }]
                  Threshold: 10
                  ComparisonOperator: GreaterThanThreshold
                  AlarmActions: !If [HasAlarmEmail, [!Ref AlarmTopic], !Ref 'AWS::NoValue']
              Board:
                Type: AWS::CloudWatch::Dashboard
                Properties:
                  DashboardBody: !Sub '{"widgets": [ {"x": ${AWS::Region} '
              Empty:
                Type: AWS::CloudWatch::Dashboard
                Properties:
                  DashboardBody: '{"widgets": []}'
            """;

    @Test
    void missingAlarmsUnconditionalActionsAndBrokenDashboardsAreCaught() {
        TemplateChecks broken = new TemplateChecks(CfnTemplate.parse(BROKEN_MONITORING), ROOT);
        expect(broken, TemplateChecks::alarms, "Dlq: no alarm on ApproximateNumberOfMessagesVisible > 0",
                "WorkFunction: no alarm on its Throttles > 0", "WorkErrors: AlarmActions is",
                "AlarmTopic: no AWS::SNS::Topic with Condition HasAlarmEmail", "Conditions.HasAlarmEmail is");
        assertTrue(broken.alarms().stream().noneMatch(p -> p.contains("WorkFunction: no alarm on its Errors")),
                "the Errors alarm is there");
        expect(broken, TemplateChecks::dashboards, "Board: DashboardBody is not JSON", "Empty: DashboardBody has no widgets");
    }

    // ------------------------------------------------------------------ the checks can fail

    static final String BROKEN = """
            Parameters:
              ApiToken:
                Type: String
              Password:
                Type: String
                NoEcho: true
            Resources:
              Secret:
                Type: AWS::SecretsManager::Secret
              OtherSecret:
                Type: AWS::SecretsManager::Secret
              HttpApi:
                Type: AWS::Serverless::HttpApi
              WorkQueue:
                Type: AWS::SQS::Queue
                Properties:
                  VisibilityTimeout: 30
              OtherQueue:
                Type: AWS::SQS::Queue
                Properties:
                  RedrivePolicy:
                    deadLetterTargetArn: !GetAtt Dlq.Arn
                    maxReceiveCount: 0
              Table:
                Type: AWS::DynamoDB::Table
                Properties:
                  BillingMode: PROVISIONED
                  TimeToLiveSpecification:
                    Enabled: false
              NoModuleFunction:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: functions/no-such-module/target/function.zip
                  Timeout: 60
                  Environment:
                    Variables:
                      A: !Ref Missing
                      B: !Sub '${Ghost}-x'
                      API_TOKEN: !Ref ApiToken
                      PLAIN: !Ref Password
                      DYNAMIC: '{{resolve:secretsmanager:prod/hook:SecretString:secret}}'
                      SECRET_ARN: !Ref Secret
                  Policies:
                    - Statement:
                        - Effect: Allow
                          Action: dynamodb:*
                          Resource: '*'
                        - Effect: Allow
                          Action: secretsmanager:*
                          Resource: '*'
                  Events:
                    Work:
                      Type: SQS
                      Properties:
                        Queue: !GetAtt WorkQueue.Arn
                    First: { Type: HttpApi, Properties: { ApiId: !Ref HttpApi, Method: GET, Path: /x } }
                    Again: { Type: HttpApi, Properties: { ApiId: !Ref HttpApi, Method: get, Path: /x } }
                    Loose: { Type: HttpApi, Properties: { Method: GET, Path: /y } }
              GreedyFunction:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: functions/api/target/function.zip
                  Handler: h
                  Runtime: java21
                  Environment:
                    Variables:
                      MY_SECRET_ARN: !Ref OtherSecret
                  Policies:
                    - Statement:
                        - Effect: Allow
                          Action: secretsmanager:GetSecretValue
                          Resource: [!Ref Secret, !Ref OtherSecret]
              WarmingTickFunction:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: lambda.zip
                  Handler: h
                  Runtime: java21
                  Environment:
                    Variables:
                      C: !GetAtt Nothing.Arn
            Outputs:
              ApiUrl:
                Value: https://example.com/
            """;

    @Test
    void brokenTemplateIsCaughtByEveryCheck() {
        TemplateChecks broken = new TemplateChecks(CfnTemplate.parse(BROKEN), ROOT);
        expect(broken, TemplateChecks::functionsHaveCodeHandlerRuntime, "NoModuleFunction: CodeUri", "does not exist",
                "NoModuleFunction: no Handler", "NoModuleFunction: no Runtime", "WarmingTickFunction: CodeUri lambda.zip");
        expect(broken, TemplateChecks::httpApiEvents, "route GET /x is already declared", "Loose: HttpApi event without ApiId");
        expect(broken, TemplateChecks::queuesHaveRedrive, "WorkQueue: queue without RedrivePolicy",
                "OtherQueue: RedrivePolicy.deadLetterTargetArn names Dlq", "OtherQueue: RedrivePolicy.maxReceiveCount 0");
        expect(broken, TemplateChecks::sqsEventSources, "without FunctionResponseTypes", "VisibilityTimeout 30 < 6 x function Timeout 60");
        expect(broken, TemplateChecks::tables, "BillingMode PROVISIONED", "PointInTimeRecoveryEnabled is not true",
                "TimeToLiveSpecification needs Enabled");
        expect(broken, TemplateChecks::warmingTickIsScheduled, "no Schedule/ScheduleV2 event");
        expect(broken, TemplateChecks::policiesAreLeastPrivilege, "grants action dynamodb:*", "on Resource *",
                "WarmingTickFunction: no Policies");
        expect(broken, TemplateChecks::referencesResolve, "!Ref Missing", "${Ghost}", "!GetAtt [Nothing, Arn]");
        expect(broken, TemplateChecks::secretParametersAreNoEcho, "ApiToken");
        expect(broken, TemplateChecks::functionEnvironmentsCarryNoSecretValues,
                "NoModuleFunction: environment variable PLAIN carries NoEcho parameter Password",
                "environment variable DYNAMIC uses a dynamic reference",
                "environment variable API_TOKEN looks like a secret but is not !Ref");
        expect(broken, TemplateChecks::functionsReadOnlyTheirOwnSecrets, "NoModuleFunction: grants secretsmanager:*",
                "NoModuleFunction: grants secretsmanager on *", "NoModuleFunction: its environment names Secret but no policy",
                "GreedyFunction: may read Secret, which is not its own");
        expect(broken, TemplateChecks::outputs, "Outputs.ApiUrl: not built from HttpApi");
    }

    /** Each operational guard, broken the ways it can be broken. */
    static final String BROKEN_GUARDS = """
            Parameters:
              Retention: { Type: Number }
              Forever: { Type: Number, Default: 3653 }
              HookRate: { Type: Number, Default: 500 }
              HookBurst: { Type: Number, Default: 10 }
            Resources:
              HttpApi:
                Type: AWS::Serverless::HttpApi
                Properties:
                  DefaultRouteSettings: { ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 }
                  AccessLogSettings:
                    DestinationArn: !GetAtt AccessLogs.Arn
                    Format: '{"id":"$context.requestId","path":"$context.path","ip":"$context.identity.sourceIp","status":"$context.status","why":"$context.integrationErrorMessage"}'
                  RouteSettings:
                    'POST /webhooks/sendgrid': { ThrottlingBurstLimit: !Ref HookBurst, ThrottlingRateLimit: !Ref HookRate }
                    'GET /gone': { ThrottlingBurstLimit: 1, ThrottlingRateLimit: 1 }
              AccessLogs:
                Type: AWS::Logs::LogGroup
              Data:
                Type: AWS::DynamoDB::Table
                DeletionPolicy: Delete
              Work:
                Type: AWS::SQS::Queue
                UpdateReplacePolicy: Retain
              HookLogs:
                Type: AWS::Logs::LogGroup
                Properties:
                  LogGroupName: !Sub '/aws/lambda/${AWS::StackName}-hooks'
                  RetentionInDays: !Ref Forever
              HookFunction:
                Type: AWS::Serverless::Function
                Properties:
                  FunctionName: !Sub '${AWS::StackName}-webhooks'
                  LoggingConfig: { LogGroup: !Ref HookLogs }
                  Policies:
                    - DynamoDBCrudPolicy: { TableName: !Ref Data }
                    - Statement:
                        - Effect: Allow
                          Action: [dynamodb:GetItem, dynamodb:Scan, dynamodb:DeleteItem, dynamodb:BatchWriteItem, sqs:SendMessage*]
                          Resource: !GetAtt Data.Arn
                        - Effect: Allow
                          Action: dynamodb:Query
                          Resource: !Sub 'arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*'
                  Events:
                    SendGrid: { Type: HttpApi, Properties: { ApiId: !Ref HttpApi, Method: POST, Path: /webhooks/sendgrid } }
                    Postmark: { Type: HttpApi, Properties: { ApiId: !Ref HttpApi, Method: POST, Path: /webhooks/postmark } }
                    Unsubscribe: { Type: HttpApi, Properties: { ApiId: !Ref HttpApi, Method: POST, Path: '/u/{token}' } }
              QuietFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Policies: []
            """;

    @Test
    void brokenGuardsAreCaught() {
        TemplateChecks broken = new TemplateChecks(CfnTemplate.parse(BROKEN_GUARDS), ROOT);
        expect(broken, TemplateChecks::dataIsRetained, "Data: DeletionPolicy is Delete, not Retain",
                "Data: UpdateReplacePolicy is null, not Retain", "Work: DeletionPolicy is null, not Retain");
        expect(broken, TemplateChecks::functionLogGroups, "HookFunction: log group HookLogs is named /aws/lambda/${AWS::StackName}-hooks",
                "QuietFunction: LoggingConfig.LogGroup is null", "HookLogs: RetentionInDays parameter Forever has Default 3653",
                "AccessLogs: RetentionInDays is null");
        expect(broken, TemplateChecks::httpApiAccessLogs, "$context.path may carry", "$context.identity.sourceIp may carry",
                "$context.integrationErrorMessage may carry", "lacks $context.routeKey", "AccessLogs: RetentionInDays is null");
        expect(broken, TemplateChecks::routeThrottling, "GET /gone names no route",
                "POST /webhooks/sendgrid ThrottlingRateLimit defaults to 500.0, not below DefaultRouteSettings' 100.0",
                "POST /webhooks/postmark has ThrottlingBurstLimit null", "POST /u/{token} has ThrottlingRateLimit null");
        expect(broken, TemplateChecks::policiesAreLeastPrivilege, "SAM policy template DynamoDBCrudPolicy",
                "grants dynamodb:Scan", "grants dynamodb:DeleteItem on Data, a right to delete",
                "grants dynamodb:BatchWriteItem on Data, a right to delete", "grants action sqs:SendMessage*",
                "grants dynamodb:Query on a wildcard ARN");
        assertTrue(broken.policiesAreLeastPrivilege().stream().noneMatch(p -> p.startsWith("QuietFunction")),
                "Policies: [] declares a function that calls no AWS service");
        assertTrue(broken.routeThrottling().stream().noneMatch(p -> p.contains("ThrottlingBurstLimit defaults")),
                "a route limit below the default passes");
        TemplateChecks silent = new TemplateChecks(CfnTemplate.parse("Resources: { HttpApi: { Type: AWS::Serverless::HttpApi } }\n"), ROOT);
        assertEquals(List.of("HttpApi: no AccessLogSettings"), silent.httpApiAccessLogs());
    }

    private static void expect(TemplateChecks checks, Function<TemplateChecks, List<String>> check, String... fragments) {
        List<String> problems = check.apply(checks);
        for (String f : fragments) {
            assertTrue(problems.stream().anyMatch(p -> p.contains(f)), () -> "expected a problem containing '" + f + "' in " + problems);
        }
    }

    static final String LOOSE_SENDING = """
            Parameters:
              SenderAllowlist:
                Type: String
            Resources:
              ApiFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Environment:
                    Variables:
                      SENDER_ALLOWLIST: example.com
              SendBatchFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Policies:
                    - Statement:
                        - Effect: Allow
                          Action: [ses:SendRawEmail]
                          Resource: '*'
                  Events:
                    SendBatches:
                      Type: SQS
                      Properties:
                        Queue: arn:aws:sqs:us-east-1:123456789012:q
                        ScalingConfig:
                          MaximumConcurrency: 1
              OtherSender:
                Type: AWS::Serverless::Function
                Properties:
                  Policies:
                    - Statement:
                        - Effect: Allow
                          Action: ses:SendEmail
                          Resource: '*'
                          Condition:
                            StringLike:
                              ses:FromAddress: !Split [',', !Sub '*${SenderAllowlist}']
            """;

    @Test
    void sendingWithoutOrWithALooseFromConditionAndAnUncappedSendBatchAreCaught() {
        TemplateChecks loose = new TemplateChecks(CfnTemplate.parse(LOOSE_SENDING), ROOT);
        expect(loose, TemplateChecks::sesSendingIsLimitedToTheSenderAllowlist,
                "ApiFunction: SENDER_ALLOWLIST is not !Ref SenderAllowlist",
                "SendBatchFunction: allows SES sending without a StringLike ses:FromAddress condition",
                "OtherSender: ses:FromAddress [*example.com, news@other.org] allows news@mail.example.com");
        expect(loose, TemplateChecks::sendBatchConcurrencyIsCapped, "MaximumConcurrency must be 2 to 1000, got 1");
        assertEquals(List.of("Parameters: no SenderAllowlist"),
                new TemplateChecks(CfnTemplate.parse("Resources: {}\n"), ROOT).sesSendingIsLimitedToTheSenderAllowlist());
    }

    @Test
    void missingApiUrlAndMissingWarmingTickAreCaught() {
        TemplateChecks empty = new TemplateChecks(CfnTemplate.parse("Resources: {}\n"), ROOT);
        assertEquals(List.of("Outputs: no ApiUrl"), empty.outputs());
        assertEquals(List.of("WarmingTickFunction: not declared"), empty.warmingTickIsScheduled());
        assertTrue(empty.httpApiEvents().get(0).contains("no AWS::Serverless::HttpApi"));
    }
}
