package dev.dispatch.emulators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Short tags to long form, Globals merging and the intrinsic resolver, without starting anything. */
class CfnTemplateTest {

    static final String YAML = """
            Parameters:
              Level: { Type: String, Default: INFO, AllowedValues: [DEBUG, INFO] }
              Secret: { Type: String, NoEcho: true, AllowedPattern: '^[0-9a-f]{4}$' }
              Names: { Type: CommaDelimitedList, Default: 'a,b,c' }
            Globals:
              Function:
                Runtime: java21
                Timeout: 30
                Environment:
                  Variables:
                    LEVEL: !Ref Level
                    SHARED: global
            Resources:
              Dlq: { Type: AWS::SQS::Queue }
              Q:
                Type: AWS::SQS::Queue
                Properties:
                  RedrivePolicy: { deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 3 }
              F: { Type: AWS::SQS::Queue, Properties: { FifoQueue: true } }
              T: { Type: AWS::DynamoDB::Table }
              Api: { Type: AWS::Serverless::HttpApi }
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Timeout: 60
                  Environment:
                    Variables:
                      SHARED: mine
                      QUEUE: !Ref Q
                      QUEUE_ARN: !GetAtt [Q, Arn]
                      DLQ_NAME: !GetAtt Dlq.QueueName
                      TABLE: !Ref T
                      TABLE_ARN: !GetAtt T.Arn
                      URL: !Sub 'https://${Api}.execute-api.${AWS::Region}.amazonaws.com/${!Literal}'
                      SUB_LIST: !Sub ['${X}-${AWS::AccountId}', { X: !Ref Level }]
                      JOINED: !Join [':', [a, !Ref T, 3]]
                      SECOND: !Select [1, !Ref Names]
                      SPLIT: !Select ['2', !Split ['/', 'x/y/z']]
                      NUMBER: 5
                      FLAG: true
              Bad:
                Type: AWS::Serverless::Function
                Properties:
                  Environment:
                    Variables:
                      X: !If [Cond, a, b]
                      Y: !GetAtt T.StreamArn
                  Other: !Not [!Condition C]
            """;

    @Test
    void shortTagsBecomeLongForm() {
        CfnTemplate t = CfnTemplate.parse(YAML);
        Map<String, Object> vars = CfnTemplate.asMap(CfnTemplate.asMap(t.properties("Fn").get("Environment")).get("Variables"));
        assertEquals(Map.of("Ref", "Q"), vars.get("QUEUE"));
        assertEquals(Map.of("Fn::GetAtt", List.of("Q", "Arn")), vars.get("QUEUE_ARN"));
        assertEquals(Map.of("Fn::GetAtt", List.of("Dlq", "QueueName")), vars.get("DLQ_NAME"));
        assertEquals(Map.of("Fn::Join", List.of(":", List.of("a", Map.of("Ref", "T"), 3))), vars.get("JOINED"));
        assertEquals(Map.of("Fn::Not", List.of(Map.of("Condition", "C"))), t.properties("Bad").get("Other"));
        assertEquals(List.of("Dlq", "Q", "F", "T", "Api", "Fn", "Bad"), List.copyOf(t.resources().keySet()));
        assertEquals(List.of("Dlq", "Q", "F"), List.copyOf(t.resourcesOfType("AWS::SQS::Queue").keySet()));
    }

    @Test
    void functionPropertiesMergeGlobalsDeeply() {
        Map<String, Object> p = CfnTemplate.parse(YAML).functionProperties("Fn");
        assertEquals("java21", p.get("Runtime"));
        assertEquals(60, p.get("Timeout"));
        Map<String, Object> vars = CfnTemplate.asMap(CfnTemplate.asMap(p.get("Environment")).get("Variables"));
        assertEquals("mine", vars.get("SHARED"));
        assertEquals(Map.of("Ref", "Level"), vars.get("LEVEL"));
        assertTrue(vars.containsKey("QUEUE"));
    }

    @Test
    void resolverAndFunctionEnvironment() {
        TemplateResources r = TemplateResources.of(CfnTemplate.parse(YAML), Map.of("Secret", "beef"), URI.create("http://127.0.0.1:9"));
        Map<String, String> env = r.functionEnvironment("Fn");
        assertEquals("INFO", env.get("LEVEL"));
        assertEquals("mine", env.get("SHARED"));
        assertEquals("http://127.0.0.1:9/000000000000/Q", env.get("QUEUE"));
        assertEquals("arn:aws:sqs:us-east-1:000000000000:Q", env.get("QUEUE_ARN"));
        assertEquals("Dlq", env.get("DLQ_NAME"));
        assertEquals("T", env.get("TABLE"));
        assertEquals("arn:aws:dynamodb:us-east-1:000000000000:table/T", env.get("TABLE_ARN"));
        assertEquals("https://Api.execute-api.us-east-1.amazonaws.com/${Literal}", env.get("URL"));
        assertEquals("INFO-000000000000", env.get("SUB_LIST"));
        assertEquals("a:T:3", env.get("JOINED"));
        assertEquals("b", env.get("SECOND"));
        assertEquals("z", env.get("SPLIT"));
        assertEquals("5", env.get("NUMBER"));
        assertEquals("true", env.get("FLAG"));
        assertEquals("F.fifo", r.queueName("F"));
        assertEquals("beef", r.parameter("Secret"));
        assertEquals("Q", r.queueLogicalIdForArn(r.queueArn("Q")));
    }

    @Test
    void unsupportedThingsFailClearly() {
        TemplateResources r = TemplateResources.of(CfnTemplate.parse(YAML), Map.of(), URI.create("http://127.0.0.1:9"));
        Map<String, Object> vars = CfnTemplate.asMap(CfnTemplate.asMap(r.template().properties("Bad").get("Environment")).get("Variables"));
        assertTrue(assertThrows(UnsupportedOperationException.class, () -> r.resolve(vars.get("X"))).getMessage().contains("Fn::If"));
        assertTrue(assertThrows(UnsupportedOperationException.class, () -> r.resolve(vars.get("Y"))).getMessage().contains("StreamArn"));
        assertTrue(assertThrows(IllegalStateException.class, () -> r.parameter("Secret")).getMessage().contains("no Default"));
        assertThrows(IllegalArgumentException.class, () -> r.resolve(Map.of("Ref", "Nope")));
        assertThrows(IllegalArgumentException.class, () -> r.tableName("Q"));
        CfnTemplate t = r.template();
        assertThrows(IllegalArgumentException.class, () -> TemplateResources.of(t, Map.of("Level", "TRACE"), null));
        assertThrows(IllegalArgumentException.class, () -> TemplateResources.of(t, Map.of("Secret", "nothex"), null));
        assertThrows(IllegalArgumentException.class, () -> TemplateResources.of(t, Map.of("Typo", "x"), null));
        assertThrows(IllegalArgumentException.class, () -> CfnTemplate.parse("Resources: { A: !GetAtt NoDot }\n"));
    }
}
