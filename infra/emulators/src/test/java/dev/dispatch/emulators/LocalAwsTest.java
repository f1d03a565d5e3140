package dev.dispatch.emulators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalAwsTest {

    static final String API_KEY_DIGESTS = "{\"sha256\": [\"" + "a".repeat(64) + "\"]}";
    static LocalAws aws;

    @BeforeAll
    static void start() {
        aws = LocalAws.start(ProjectLayout.root(), Map.of("PublicApiUrl", "http://127.0.0.1:3000",
                "SenderAllowlist", "example.com"), Map.of("ApiKeyDigestsSecret", API_KEY_DIGESTS), null);
    }

    @AfterAll
    static void stop() {
        if (aws != null) {
            aws.close();
        }
    }

    @Test
    @Order(1)
    void everyTemplateTableExistsWithItsKeySchema() {
        Map<String, Map<String, Object>> tables = aws.template().resourcesOfType("AWS::DynamoDB::Table");
        assertFalse(tables.isEmpty());
        tables.forEach((id, r) -> {
            TableDescription d = aws.dynamoDb().describeTable(b -> b.tableName(aws.resources().tableName(id))).table();
            assertEquals("ACTIVE", d.tableStatusAsString(), id);
            List<String> expected = new ArrayList<>();
            for (Object k : (List<?>) CfnTemplate.asMap(r.get("Properties")).get("KeySchema")) {
                Map<?, ?> m = (Map<?, ?>) k;
                expected.add(m.get("AttributeName") + ":" + m.get("KeyType"));
            }
            List<String> actual = d.keySchema().stream().map(k -> k.attributeName() + ":" + k.keyTypeAsString()).toList();
            assertEquals(expected, actual, id);
        });
    }

    @Test
    @Order(2)
    void putAndGetOnATable() {
        String table = aws.resources().tableName("SubscribersTable");
        aws.dynamoDb().putItem(b -> b.tableName(table).item(Map.of(
                "email", AttributeValue.fromS("ada@example.com"), "name", AttributeValue.fromS("Ada"))));
        Map<String, AttributeValue> item = aws.dynamoDb().getItem(b -> b.tableName(table)
                .key(Map.of("email", AttributeValue.fromS("ada@example.com"))).consistentRead(true)).item();
        assertEquals("Ada", item.get("name").s());
        List<KeySchemaElement> ks = aws.dynamoDb().describeTable(b -> b.tableName(table)).table().keySchema();
        assertEquals("email", ks.get(0).attributeName());
    }

    @Test
    @Order(3)
    void everyTemplateQueueExistsWithItsAttributes() {
        Map<String, Map<String, Object>> queues = aws.template().resourcesOfType("AWS::SQS::Queue");
        assertFalse(queues.isEmpty());
        queues.forEach((id, r) -> {
            Map<String, Object> props = CfnTemplate.asMap(r.get("Properties"));
            String url = aws.resources().queueUrl(id);
            assertEquals(url, aws.sqs().getQueueUrl(b -> b.queueName(aws.resources().queueName(id))).queueUrl(), id);
            Map<String, String> attrs = aws.sqs().getQueueAttributes(b -> b.queueUrl(url)
                    .attributeNames(QueueAttributeName.ALL)).attributesAsStrings();
            assertEquals(aws.resources().queueArn(id), attrs.get("QueueArn"), id);
            if (props.containsKey("VisibilityTimeout")) {
                assertEquals(String.valueOf(props.get("VisibilityTimeout")), attrs.get("VisibilityTimeout"), id);
            }
            // MessageRetentionPeriod is passed on CreateQueue but ElasticMQ 1.7.1 neither keeps nor reports it.
            if (props.containsKey("DelaySeconds")) {
                assertEquals(String.valueOf(props.get("DelaySeconds")), attrs.get("DelaySeconds"), id);
            }
            Map<String, Object> redrive = CfnTemplate.asMap(props.get("RedrivePolicy"));
            if (redrive.isEmpty()) {
                assertFalse(attrs.containsKey("RedrivePolicy"), id + " has no RedrivePolicy in the template");
            } else {
                String policy = attrs.get("RedrivePolicy");
                assertNotNull(policy, id + " RedrivePolicy");
                assertTrue(policy.contains(aws.resources().resolveString(redrive.get("deadLetterTargetArn"))), policy);
                assertTrue(policy.replace(" ", "").matches(".*\"maxReceiveCount\":\"?" + redrive.get("maxReceiveCount") + "\"?.*"),
                        policy);
            }
        });
    }

    @Test
    @Order(4)
    void messageReceivedMoreThanMaxReceiveCountTimesLandsInTheDlq() {
        String queue = "SendQueue";
        Map<String, Object> redrive = CfnTemplate.asMap(aws.template().properties(queue).get("RedrivePolicy"));
        int maxReceiveCount = Integer.parseInt(String.valueOf(redrive.get("maxReceiveCount")));
        String dlq = aws.resources().queueLogicalIdForArn(aws.resources().resolveString(redrive.get("deadLetterTargetArn")));
        String url = aws.resources().queueUrl(queue);
        String dlqUrl = aws.resources().queueUrl(dlq);
        String body = "poison-" + System.nanoTime();
        aws.sqs().sendMessage(b -> b.queueUrl(url).messageBody(body));

        int received = 0;
        for (int i = 0; i < maxReceiveCount + 3; i++) {
            List<Message> got = aws.sqs().receiveMessage(b -> b.queueUrl(url).visibilityTimeout(0).maxNumberOfMessages(10)
                    .waitTimeSeconds(0)).messages();
            received += (int) got.stream().filter(m -> m.body().equals(body)).count();
        }
        assertEquals(maxReceiveCount, received, "received exactly maxReceiveCount times from " + queue);
        List<Message> dead = aws.sqs().receiveMessage(b -> b.queueUrl(dlqUrl).maxNumberOfMessages(10).waitTimeSeconds(1))
                .messages();
        assertEquals(List.of(body), dead.stream().map(Message::body).collect(Collectors.toList()));
    }

    @Test
    @Order(5)
    void sesStoreAnswersJson() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(aws.sesEndpoint() + "/store"))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").contains("json"), r.headers().toString());
        String b = r.body().trim();
        assertTrue(b.startsWith("{") || b.startsWith("["), b);
    }

    @Test
    @Order(6)
    void awsEnvironmentPointsAtTheStandIns() {
        Map<String, String> env = aws.awsEnvironment();
        assertEquals(aws.dynamoDbEndpoint().toString(), env.get("AWS_ENDPOINT_URL_DYNAMODB"));
        assertEquals(aws.sqsEndpoint().toString(), env.get("QUARKUS_SQS_ENDPOINT_OVERRIDE"));
        assertEquals(aws.sesEndpoint().toString(), env.get("AWS_ENDPOINT_URL_SESV2"));
        assertEquals("static", env.get("QUARKUS_SES_AWS_CREDENTIALS_TYPE"));
        assertEquals("us-east-1", env.get("AWS_REGION"));

        Map<String, String> fn = aws.resources().functionEnvironment("EnqueueCampaignFunction");
        assertEquals(aws.resources().queueUrl("SendQueue"), fn.get("SEND_QUEUE_URL"));
        assertEquals("SubscribersTable", fn.get("SUBSCRIBERS_TABLE"));
        assertEquals("INFO", fn.get("QUARKUS_LOG_LEVEL"));
        assertEquals(aws.secretsManagerEndpoint().toString(), env.get("AWS_ENDPOINT_URL_SECRETS_MANAGER"));
        // a function gets a secret's ARN, and the ARN reads the secret on the stand-in
        String arn = aws.resources().functionEnvironment("ApiFunction").get("API_KEY_DIGESTS_SECRET_ARN");
        assertTrue(arn.startsWith("arn:aws:secretsmanager:us-east-1:"), arn);
        assertEquals(API_KEY_DIGESTS, aws.secretsManager().getSecretValue(b -> b.secretId(arn)).secretString());
        // the queue URL works with the SDK client as given to functions
        aws.sqs().sendMessage(b -> b.queueUrl(fn.get("SEND_QUEUE_URL")).messageBody("{}"));
    }

    @Test
    @Order(7)
    void everyTemplateSecretExistsWithItsGivenDeclaredOrGeneratedValue() {
        Map<String, Map<String, Object>> secrets = aws.template().resourcesOfType("AWS::SecretsManager::Secret");
        assertFalse(secrets.isEmpty());
        secrets.forEach((id, r) -> assertNotNull(
                aws.secretsManager().getSecretValue(b -> b.secretId(aws.resources().secretArn(id))).secretString(), id));
        // declared
        assertEquals("{\"apiKey\": \"\"}", value("SendGridApiKeySecret"));
        // generated as GenerateSecretString asks: the template object plus a random 64-character key
        String keyring = value("UnsubscribeKeyringSecret");
        assertTrue(keyring.matches("\\{\"current\":\"k1\",\"k1\":\"[A-Za-z0-9]{64}\"}"), "keyring shape: " + keyring.length());
        assertTrue(value("GenericWebhookHmacSecret").matches("\\{\"secret\":\"[A-Za-z0-9]{64}\"}"));
    }

    private static String value(String secret) {
        return aws.secretsManager().getSecretValue(b -> b.secretId(aws.resources().secretArn(secret))).secretString();
    }

    @Test
    @Order(100)
    void closeLeavesNoNodeProcessBehind() {
        ProcessHandle dynalite = aws.dynalite().processHandle();
        ProcessHandle ses = aws.sesLocal().processHandle();
        ProcessHandle moto = aws.moto().processHandle();
        List<ProcessHandle> all = new ArrayList<>(List.of(dynalite, ses, moto));
        dynalite.descendants().forEach(all::add);
        ses.descendants().forEach(all::add);
        assertTrue(dynalite.isAlive() && ses.isAlive());
        aws.close();
        for (ProcessHandle p : all) {
            assertFalse(p.isAlive(), "still alive after close(): pid " + p.pid() + " " + p.info().commandLine().orElse(""));
        }
        assertFalse(NodeProcess.portOpen(aws.dynamoDbEndpoint().getPort()), "dynalite port still open");
        assertFalse(NodeProcess.portOpen(aws.sesEndpoint().getPort()), "ses port still open");
        assertFalse(NodeProcess.portOpen(aws.sqsEndpoint().getPort()), "ElasticMQ port still open");
        assertFalse(NodeProcess.portOpen(aws.secretsManagerEndpoint().getPort()), "moto port still open");
        aws.close(); // idempotent
    }
}
