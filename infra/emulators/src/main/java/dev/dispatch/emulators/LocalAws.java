package dev.dispatch.emulators;

import java.net.URI;
import java.security.SecureRandom;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.CreateQueueRequest;

/**
 * The four stand-ins (dynalite, ElasticMQ, aws-ses-v2-local, moto for Secrets Manager) plus the tables, queues
 * and secrets of template.yaml, created from the template so local and cloud can't drift.
 *
 * <p>Local differences from AWS: tables are always PAY_PER_REQUEST; TimeToLiveSpecification, streams, SSE and
 * point-in-time recovery are skipped (dynalite has none of them); queue attributes SQS-managed SSE / KMS are skipped.
 */
public final class LocalAws implements AutoCloseable {

    public static final String ACCESS_KEY_ID = "local";
    public static final String SECRET_ACCESS_KEY = "local";

    private final CfnTemplate template;
    private final Dynalite dynalite;
    private final ElasticMq elasticMq;
    private final SesLocal ses;
    private final Moto moto;
    private final TemplateResources resources;
    private final DynamoDbClient dynamoDb;
    private final SqsClient sqs;
    private final SecretsManagerClient secretsManager;
    private boolean closed;

    private LocalAws(CfnTemplate template, Dynalite dynalite, ElasticMq elasticMq, SesLocal ses, Moto moto,
            Map<String, String> parameterValues) {
        this.template = template;
        this.dynalite = dynalite;
        this.elasticMq = elasticMq;
        this.ses = ses;
        this.moto = moto;
        this.resources = TemplateResources.of(template, parameterValues, elasticMq.endpoint());
        StaticCredentialsProvider creds = StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY));
        this.dynamoDb = DynamoDbClient.builder().endpointOverride(dynalite.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(creds).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        this.sqs = SqsClient.builder().endpointOverride(elasticMq.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(creds).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        this.secretsManager = SecretsManagerClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(creds).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    /** The project's template, parameter defaults only. Addition to the agreed API. */
    public static LocalAws start() {
        return start(ProjectLayout.root(), Map.of());
    }

    /** Starts the stand-ins and creates the template's tables and queues; dynalite in memory. */
    public static LocalAws start(Path projectRoot, Map<String, String> parameterValues) {
        return start(projectRoot, parameterValues, null);
    }

    /**
     * As {@link #start(Path, Map)}, with dynalite persisting to {@code dynalitePersistDirOrNull} (tables that
     * already exist there are kept). Addition to the agreed API.
     */
    public static LocalAws start(Path projectRoot, Map<String, String> parameterValues, Path dynalitePersistDirOrNull) {
        return start(projectRoot, parameterValues, Map.of(), dynalitePersistDirOrNull);
    }

    /**
     * As {@link #start(Path, Map, Path)}, creating the template's secrets with the given values (logical id to
     * SecretString); a secret without one gets what the template declares: its SecretString, or a value generated
     * as its GenerateSecretString asks (letters and digits).
     */
    public static LocalAws start(Path projectRoot, Map<String, String> parameterValues, Map<String, String> secretValues,
            Path dynalitePersistDirOrNull) {
        Path root = projectRoot.toAbsolutePath().normalize();
        CfnTemplate template = CfnTemplate.load(root.resolve("template.yaml"));
        Map<String, String> params = parameterValues == null ? Map.of() : Map.copyOf(parameterValues);
        TemplateResources.of(template, params, null); // validates parameter values before anything starts
        Map<String, String> secrets = secretValues == null ? Map.of() : Map.copyOf(secretValues);
        for (String id : secrets.keySet()) {
            if (!template.resourcesOfType(TemplateResources.SECRET).containsKey(id)) {
                throw new IllegalArgumentException("A value is given for secret " + id + ", which the template does not "
                        + "declare (declared: " + template.resourcesOfType(TemplateResources.SECRET).keySet() + ")");
            }
        }
        Path infra = root.resolve("infra");

        CompletableFuture<Dynalite> dyn = CompletableFuture.supplyAsync(() -> Dynalite.start(infra, dynalitePersistDirOrNull));
        CompletableFuture<SesLocal> mail = CompletableFuture.supplyAsync(() -> SesLocal.start(infra));
        CompletableFuture<ElasticMq> mq = CompletableFuture.supplyAsync(ElasticMq::start);
        CompletableFuture<Moto> secretsManager = CompletableFuture.supplyAsync(Moto::start);
        LocalAws aws = null;
        try {
            aws = new LocalAws(template, join(dyn), join(mq), join(mail), join(secretsManager), params);
            aws.createQueues();
            aws.createTables();
            aws.createSecrets(secrets);
            return aws;
        } catch (RuntimeException e) {
            if (aws != null) {
                aws.close();
            } else {
                closeQuietly(dyn);
                closeQuietly(mq);
                closeQuietly(mail);
                closeQuietly(secretsManager);
            }
            throw e;
        }
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private static void closeQuietly(CompletableFuture<? extends AutoCloseable> f) {
        try {
            f.join().close();
        } catch (Exception ignored) {
            // it failed to start, or failed to stop: nothing more to do
        }
    }

    // ------------------------------------------------------------------ creation

    private void createQueues() {
        Map<String, Map<String, Object>> queues = template.resourcesOfType(TemplateResources.QUEUE);
        List<String> pending = new ArrayList<>(queues.keySet());
        while (!pending.isEmpty()) {
            boolean progress = false;
            for (String id : new ArrayList<>(pending)) {
                Map<String, Object> props = CfnTemplate.asMap(resources.resolve(CfnTemplate.asMap(queues.get(id).get("Properties"))));
                String dlq = deadLetterQueueOf(id, props);
                if (dlq != null && pending.contains(dlq)) {
                    continue; // create the DLQ first
                }
                createQueue(id, props);
                pending.remove(id);
                progress = true;
            }
            if (!progress) {
                throw new IllegalStateException("Cyclic RedrivePolicy between queues " + pending);
            }
        }
    }

    private String deadLetterQueueOf(String id, Map<String, Object> props) {
        Map<String, Object> redrive = CfnTemplate.asMap(props.get("RedrivePolicy"));
        if (redrive.isEmpty()) {
            return null;
        }
        Object arn = redrive.get("deadLetterTargetArn");
        String dlq = arn == null ? null : resources.queueLogicalIdForArn(String.valueOf(arn));
        if (dlq == null) {
            throw new IllegalStateException("Queue " + id + ": RedrivePolicy.deadLetterTargetArn " + arn
                    + " is not a queue of the template");
        }
        return dlq;
    }

    private void createQueue(String id, Map<String, Object> props) {
        Map<String, String> attrs = new LinkedHashMap<>();
        for (String a : List.of("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "MaximumMessageSize",
                "ReceiveMessageWaitTimeSeconds", "FifoQueue", "ContentBasedDeduplication")) {
            Object v = props.get(a);
            if (v != null) {
                attrs.put(a, TemplateResources.scalarToString(v));
            }
        }
        Map<String, Object> redrive = CfnTemplate.asMap(props.get("RedrivePolicy"));
        if (!redrive.isEmpty()) {
            Object max = redrive.get("maxReceiveCount");
            if (max == null) {
                throw new IllegalStateException("Queue " + id + ": RedrivePolicy without maxReceiveCount");
            }
            attrs.put("RedrivePolicy", "{\"deadLetterTargetArn\":\"" + redrive.get("deadLetterTargetArn")
                    + "\",\"maxReceiveCount\":" + Integer.parseInt(TemplateResources.scalarToString(max)) + "}");
        }
        String url = sqs.createQueue(CreateQueueRequest.builder().queueName(resources.queueName(id)).attributesWithStrings(attrs)
                .build()).queueUrl();
        resources.recordQueueUrl(id, url);
    }

    private void createTables() {
        Map<String, Map<String, Object>> tables = template.resourcesOfType(TemplateResources.TABLE);
        for (Map.Entry<String, Map<String, Object>> t : tables.entrySet()) {
            Map<String, Object> props = CfnTemplate.asMap(resources.resolve(CfnTemplate.asMap(t.getValue().get("Properties"))));
            CreateTableRequest.Builder req = CreateTableRequest.builder().tableName(resources.tableName(t.getKey()))
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(list(props.get("AttributeDefinitions")).stream()
                            .map(a -> AttributeDefinition.builder().attributeName(str(a, "AttributeName"))
                                    .attributeType(str(a, "AttributeType")).build())
                            .toList())
                    .keySchema(keySchema(props.get("KeySchema")));
            List<Map<String, Object>> gsis = list(props.get("GlobalSecondaryIndexes"));
            if (!gsis.isEmpty()) {
                req.globalSecondaryIndexes(gsis.stream().map(g -> GlobalSecondaryIndex.builder().indexName(str(g, "IndexName"))
                        .keySchema(keySchema(g.get("KeySchema"))).projection(projection(g.get("Projection"))).build()).toList());
            }
            List<Map<String, Object>> lsis = list(props.get("LocalSecondaryIndexes"));
            if (!lsis.isEmpty()) {
                req.localSecondaryIndexes(lsis.stream().map(g -> LocalSecondaryIndex.builder().indexName(str(g, "IndexName"))
                        .keySchema(keySchema(g.get("KeySchema"))).projection(projection(g.get("Projection"))).build()).toList());
            }
            try {
                dynamoDb.createTable(req.build());
            } catch (ResourceInUseException alreadyThere) {
                // persisted dynalite folder: keep the existing table
            }
        }
        for (String id : tables.keySet()) {
            String name = resources.tableName(id);
            NodeProcess.waitUntil(Duration.ofSeconds(15),
                    () -> dynamoDb.describeTable(b -> b.tableName(name)).table().tableStatus() == TableStatus.ACTIVE,
                    "table " + name + " to become ACTIVE");
        }
    }

    private void createSecrets(Map<String, String> values) {
        template.resourcesOfType(TemplateResources.SECRET).forEach((id, r) -> {
            Map<String, Object> props = CfnTemplate.asMap(resources.resolve(CfnTemplate.asMap(r.get("Properties"))));
            String value = values.get(id);
            if (value == null) {
                value = props.get("SecretString") != null ? TemplateResources.scalarToString(props.get("SecretString"))
                        : generated(id, CfnTemplate.asMap(props.get("GenerateSecretString")));
            }
            String secretString = value;
            String arn = secretsManager.createSecret(b -> b.name(resources.secretName(id)).secretString(secretString)).arn();
            resources.recordSecretArn(id, arn);
        });
    }

    /**
     * What CloudFormation makes of GenerateSecretString: a random password, put under GenerateStringKey into the
     * SecretStringTemplate object when both are given. Locally always letters and digits.
     */
    private static String generated(String id, Map<String, Object> spec) {
        Object length = spec.get("PasswordLength");
        String password = randomAlphanumeric(length == null ? 32 : Integer.parseInt(TemplateResources.scalarToString(length)));
        Object template = spec.get("SecretStringTemplate");
        Object key = spec.get("GenerateStringKey");
        if (template == null && key == null) {
            return password;
        }
        if (template == null || key == null) {
            throw new IllegalStateException("Secret " + id + ": GenerateSecretString needs both SecretStringTemplate and "
                    + "GenerateStringKey, or neither");
        }
        // JSON is YAML: SnakeYAML reads the template object.
        Object parsed = new org.yaml.snakeyaml.Yaml().load(TemplateResources.scalarToString(template));
        if (!(parsed instanceof Map<?, ?> members)) {
            throw new IllegalStateException("Secret " + id + ": SecretStringTemplate is not a JSON object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        members.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        out.put(String.valueOf(key), password);
        StringBuilder json = new StringBuilder("{");
        out.forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append(jsonString(k)).append(':').append(jsonString(v)));
        return json.append('}').toString();
    }

    private static String randomAlphanumeric(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static List<KeySchemaElement> keySchema(Object o) {
        return list(o).stream().map(k -> KeySchemaElement.builder().attributeName(str(k, "AttributeName"))
                .keyType(str(k, "KeyType")).build()).toList();
    }

    @SuppressWarnings("unchecked")
    private static Projection projection(Object o) {
        Map<String, Object> p = CfnTemplate.asMap(o);
        Projection.Builder b = Projection.builder().projectionType(p.get("ProjectionType") == null ? "ALL" : str(p, "ProjectionType"));
        if (p.get("NonKeyAttributes") instanceof List<?> l && !l.isEmpty()) {
            b.nonKeyAttributes((List<String>) l);
        }
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        if (o == null) {
            return List.of();
        }
        if (o instanceof List<?> l) {
            return (List<Map<String, Object>>) l;
        }
        throw new IllegalArgumentException("Expected a list but found " + o);
    }

    private static String str(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("Missing " + key + " in " + m);
        }
        return String.valueOf(v);
    }

    // ------------------------------------------------------------------ accessors

    public CfnTemplate template() {
        return template;
    }

    public TemplateResources resources() {
        return resources;
    }

    public URI dynamoDbEndpoint() {
        return dynalite.endpoint();
    }

    /** The Secrets Manager stand-in (moto). */
    public URI secretsManagerEndpoint() {
        return moto.endpoint();
    }

    /** A client of the Secrets Manager stand-in (read and rotate the template's secrets in tests). */
    public SecretsManagerClient secretsManager() {
        return secretsManager;
    }

    public URI sqsEndpoint() {
        return elasticMq.endpoint();
    }

    public URI sesEndpoint() {
        return ses.endpoint();
    }

    public DynamoDbClient dynamoDb() {
        return dynamoDb;
    }

    public SqsClient sqs() {
        return sqs;
    }

    /** The dynalite stand-in. Addition to the agreed API. */
    public Dynalite dynalite() {
        return dynalite;
    }

    /** The aws-ses-v2-local stand-in. Addition to the agreed API. */
    public SesLocal sesLocal() {
        return ses;
    }

    /** The Secrets Manager stand-in. */
    public Moto moto() {
        return moto;
    }

    /** The embedded ElasticMQ. Addition to the agreed API. */
    public ElasticMq elasticMq() {
        return elasticMq;
    }

    /**
     * What a function process needs to reach the stand-ins: the AWS SDK's variables (region, static credentials,
     * service endpoint URLs, Secrets Manager's included) and the Quarkiverse equivalents for dynamodb, sqs and ses.
     */
    public Map<String, String> awsEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", TemplateResources.REGION);
        env.put("AWS_DEFAULT_REGION", TemplateResources.REGION);
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoDbEndpoint().toString());
        env.put("AWS_ENDPOINT_URL_SQS", sqsEndpoint().toString());
        env.put("AWS_ENDPOINT_URL_SES", sesEndpoint().toString());
        env.put("AWS_ENDPOINT_URL_SESV2", sesEndpoint().toString());
        // The functions build their Secrets Manager client with this endpoint when it is set (only locally).
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secretsManagerEndpoint().toString());
        quarkiverse(env, "DYNAMODB", dynamoDbEndpoint());
        quarkiverse(env, "SQS", sqsEndpoint());
        quarkiverse(env, "SES", sesEndpoint());
        return env;
    }

    private static void quarkiverse(Map<String, String> env, String service, URI endpoint) {
        String p = "QUARKUS_" + service + "_";
        env.put(p + "ENDPOINT_OVERRIDE", endpoint.toString());
        env.put(p + "AWS_REGION", TemplateResources.REGION);
        env.put(p + "AWS_CREDENTIALS_TYPE", "static");
        env.put(p + "AWS_CREDENTIALS_STATIC_PROVIDER_ACCESS_KEY_ID", ACCESS_KEY_ID);
        env.put(p + "AWS_CREDENTIALS_STATIC_PROVIDER_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        for (AutoCloseable c : new AutoCloseable[] {dynamoDb, sqs, secretsManager, dynalite, ses, elasticMq, moto}) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
