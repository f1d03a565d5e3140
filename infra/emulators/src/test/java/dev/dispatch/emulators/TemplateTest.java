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

    private static void expect(TemplateChecks checks, Function<TemplateChecks, List<String>> check, String... fragments) {
        List<String> problems = check.apply(checks);
        for (String f : fragments) {
            assertTrue(problems.stream().anyMatch(p -> p.contains(f)), () -> "expected a problem containing '" + f + "' in " + problems);
        }
    }

    @Test
    void missingApiUrlAndMissingWarmingTickAreCaught() {
        TemplateChecks empty = new TemplateChecks(CfnTemplate.parse("Resources: {}\n"), ROOT);
        assertEquals(List.of("Outputs: no ApiUrl"), empty.outputs());
        assertEquals(List.of("WarmingTickFunction: not declared"), empty.warmingTickIsScheduled());
        assertTrue(empty.httpApiEvents().get(0).contains("no AWS::Serverless::HttpApi"));
    }
}
