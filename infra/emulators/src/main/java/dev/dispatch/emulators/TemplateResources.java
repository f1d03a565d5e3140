package dev.dispatch.emulators;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Physical names of the template's resources on the local stack, and a resolver for the intrinsic functions the
 * template uses. Local physical names: a table is named by its logical id; a queue is named by its logical id
 * (plus {@code .fifo} for a FIFO queue).
 */
public final class TemplateResources {

    public static final String REGION = "us-east-1";
    public static final String ACCOUNT_ID = ElasticMq.ACCOUNT_ID;
    public static final String STACK_NAME = "dispatch-local";

    static final String TABLE = "AWS::DynamoDB::Table";
    static final String QUEUE = "AWS::SQS::Queue";
    static final String SECRET = "AWS::SecretsManager::Secret";

    private final CfnTemplate template;
    private final Map<String, String> parameterValues;
    private final URI sqsEndpoint;
    private final Map<String, String> actualQueueUrls = new ConcurrentHashMap<>();
    private final Map<String, String> actualSecretArns = new ConcurrentHashMap<>();

    private TemplateResources(CfnTemplate template, Map<String, String> parameterValues, URI sqsEndpoint) {
        this.template = template;
        this.parameterValues = Map.copyOf(parameterValues);
        this.sqsEndpoint = sqsEndpoint;
        validateParameters();
    }

    /**
     * Names and resolver for a template on a local stack whose SQS endpoint is {@code sqsEndpoint} (queue URLs are
     * then {@code <endpoint>/000000000000/<name>}, ElasticMQ's form). Addition to the agreed API: lets tools compute
     * names and function environments without starting anything.
     */
    public static TemplateResources of(CfnTemplate template, Map<String, String> parameterValues, URI sqsEndpoint) {
        return new TemplateResources(template, parameterValues == null ? Map.of() : parameterValues, sqsEndpoint);
    }

    /** Records the URL the SQS stand-in returned for a created queue (used instead of the computed one). */
    void recordQueueUrl(String logicalId, String url) {
        actualQueueUrls.put(logicalId, url);
    }

    /** Records the ARN the Secrets Manager stand-in gave a created secret. */
    void recordSecretArn(String logicalId, String arn) {
        actualSecretArns.put(logicalId, arn);
    }

    public CfnTemplate template() {
        return template;
    }

    /** Local name of an {@code AWS::SecretsManager::Secret}: its logical id. */
    public String secretName(String logicalId) {
        requireType(logicalId, SECRET);
        return logicalId;
    }

    /**
     * What {@code !Ref} of a secret gives: its ARN once the secret exists on the stand-in, before that its name (a
     * secret id Secrets Manager accepts as well).
     */
    public String secretArn(String logicalId) {
        String arn = actualSecretArns.get(logicalId);
        return arn != null ? arn : secretName(logicalId);
    }

    // ------------------------------------------------------------------ names

    /** Local table name of an {@code AWS::DynamoDB::Table}: its logical id. */
    public String tableName(String logicalId) {
        requireType(logicalId, TABLE);
        return logicalId;
    }

    /** Table ARN on the local stack. Addition to the agreed API. */
    public String tableArn(String logicalId) {
        return "arn:aws:dynamodb:" + REGION + ":" + ACCOUNT_ID + ":table/" + tableName(logicalId);
    }

    /** Local queue name of an {@code AWS::SQS::Queue}: its logical id, plus {@code .fifo} for FIFO queues. Addition. */
    public String queueName(String logicalId) {
        Map<String, Object> props = requireType(logicalId, QUEUE);
        return isTrue(props.get("FifoQueue")) ? logicalId + ".fifo" : logicalId;
    }

    public String queueUrl(String logicalId) {
        String name = queueName(logicalId);
        String actual = actualQueueUrls.get(logicalId);
        if (actual != null) {
            return actual;
        }
        if (sqsEndpoint == null) {
            throw new IllegalStateException("No SQS endpoint known, cannot make a URL for queue " + logicalId);
        }
        String base = sqsEndpoint.toString();
        return (base.endsWith("/") ? base : base + "/") + ACCOUNT_ID + "/" + name;
    }

    /** {@code arn:aws:sqs:us-east-1:000000000000:<name>} */
    public String queueArn(String logicalId) {
        return "arn:aws:sqs:" + REGION + ":" + ACCOUNT_ID + ":" + queueName(logicalId);
    }

    /** Logical id of the queue with this ARN, or null. Addition to the agreed API. */
    public String queueLogicalIdForArn(String arn) {
        for (String id : template.resourcesOfType(QUEUE).keySet()) {
            if (queueArn(id).equals(arn)) {
                return id;
            }
        }
        return null;
    }

    /** The value of a template parameter: the one given to LocalAws, else the template's Default. */
    public String parameter(String name) {
        Map<String, Object> decl = template.parameters().get(name);
        if (decl == null) {
            throw new IllegalArgumentException("No parameter " + name + " in the template (declared: "
                    + template.parameters().keySet() + ")");
        }
        String v = parameterValues.get(name);
        if (v != null) {
            return v;
        }
        Object def = decl.get("Default");
        if (def == null) {
            throw new IllegalStateException("Template parameter " + name + " has no Default and no value was given: pass it in "
                    + "the parameterValues of LocalAws.start(...)");
        }
        return scalarToString(def);
    }

    private void validateParameters() {
        Map<String, Map<String, Object>> declared = template.parameters();
        for (String given : parameterValues.keySet()) {
            if (!declared.containsKey(given)) {
                throw new IllegalArgumentException("Parameter value given for " + given + ", which the template does not declare "
                        + "(declared: " + declared.keySet() + ")");
            }
        }
        declared.forEach((name, decl) -> {
            String v = parameterValues.get(name);
            if (v == null && decl.get("Default") != null) {
                v = scalarToString(decl.get("Default"));
            }
            if (v == null) {
                return;
            }
            String shown = isTrue(decl.get("NoEcho")) ? "****" : "'" + v + "'";
            if (decl.get("AllowedValues") instanceof List<?> allowed
                    && allowed.stream().map(TemplateResources::scalarToString).noneMatch(v::equals)) {
                throw new IllegalArgumentException("Parameter " + name + "=" + shown + " is not one of " + allowed);
            }
            if (decl.get("AllowedPattern") instanceof String pattern && !Pattern.compile(pattern).matcher(v).matches()) {
                throw new IllegalArgumentException("Parameter " + name + "=" + shown + " does not match AllowedPattern " + pattern);
            }
        });
    }

    // ------------------------------------------------------------------ resolver

    /**
     * Resolves intrinsic functions: Ref (parameters, pseudo parameters, tables -> name, queues -> URL, secrets -> ARN, other
     * resources -> logical id), Fn::GetAtt (Queue.Arn/QueueName/QueueUrl, Table.Arn), Fn::Sub (both forms),
     * Fn::Join, Fn::Select, Fn::Split. Maps and lists are resolved recursively; anything else throws a clear error.
     */
    public Object resolve(Object v) {
        if (v instanceof Map<?, ?> m) {
            if (m.size() == 1) {
                Map.Entry<?, ?> e = m.entrySet().iterator().next();
                String key = String.valueOf(e.getKey());
                Object arg = e.getValue();
                switch (key) {
                    case "Ref":
                        return ref(asString(resolve(arg), "Ref"));
                    case "Fn::GetAtt":
                        return getAtt(arg);
                    case "Fn::Sub":
                        return sub(arg);
                    case "Fn::Join":
                        return join(arg);
                    case "Fn::Select":
                        return select(arg);
                    case "Fn::Split":
                        return split(arg);
                    case "Fn::If":
                        throw new UnsupportedOperationException("Fn::If is not supported locally (template Conditions are not "
                                + "evaluated): " + m);
                    default:
                        if (key.startsWith("Fn::") || key.equals("Condition")) {
                            throw new UnsupportedOperationException(key + " is not supported by the local resolver: " + m);
                        }
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, val) -> out.put(String.valueOf(k), resolve(val)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(x -> out.add(resolve(x)));
            return out;
        }
        return v;
    }

    /** Resolves to a String (numbers and booleans as text); lists and maps are an error. Addition to the agreed API. */
    public String resolveString(Object cfnValue) {
        Object r = resolve(cfnValue);
        if (r instanceof Map || r instanceof List) {
            throw new IllegalArgumentException("Expected a single value but " + cfnValue + " resolves to " + r);
        }
        return r == null ? "" : scalarToString(r);
    }

    private Object ref(String name) {
        switch (name) {
            case "AWS::Region":
                return REGION;
            case "AWS::AccountId":
                return ACCOUNT_ID;
            case "AWS::StackName":
                return STACK_NAME;
            case "AWS::StackId":
                return "arn:aws:cloudformation:" + REGION + ":" + ACCOUNT_ID + ":stack/" + STACK_NAME + "/local";
            case "AWS::Partition":
                return "aws";
            case "AWS::URLSuffix":
                return "amazonaws.com";
            case "AWS::NoValue":
            case "AWS::NotificationARNs":
                throw new UnsupportedOperationException("Ref " + name + " is not supported locally");
            default:
                break;
        }
        if (template.parameters().containsKey(name)) {
            String value = parameter(name);
            Object type = template.parameters().get(name).get("Type");
            if (type instanceof String t && (t.equals("CommaDelimitedList") || t.startsWith("List<"))) {
                return new ArrayList<>(Arrays.asList(value.split("\\s*,\\s*", -1)));
            }
            return value;
        }
        Map<String, Object> r = template.resources().get(name);
        if (r == null) {
            throw new IllegalArgumentException("Ref " + name + ": no such parameter, pseudo parameter or resource in the template");
        }
        Object type = r.get("Type");
        if (TABLE.equals(type)) {
            return tableName(name);
        }
        if (QUEUE.equals(type)) {
            return queueUrl(name);
        }
        if (SECRET.equals(type)) {
            return secretArn(name);
        }
        return name;
    }

    private Object getAtt(Object arg) {
        List<String> parts;
        if (arg instanceof String s) {
            int dot = s.indexOf('.');
            if (dot <= 0) {
                throw new IllegalArgumentException("Fn::GetAtt needs Resource.Attribute, got " + s);
            }
            parts = List.of(s.substring(0, dot), s.substring(dot + 1));
        } else if (arg instanceof List<?> l && l.size() == 2) {
            parts = List.of(asString(resolve(l.get(0)), "Fn::GetAtt"), asString(resolve(l.get(1)), "Fn::GetAtt"));
        } else {
            throw new IllegalArgumentException("Fn::GetAtt needs [Resource, Attribute], got " + arg);
        }
        String id = parts.get(0);
        String attr = parts.get(1);
        Map<String, Object> r = template.resources().get(id);
        if (r == null) {
            throw new IllegalArgumentException("Fn::GetAtt " + id + "." + attr + ": no resource " + id + " in the template");
        }
        Object type = r.get("Type");
        if (QUEUE.equals(type)) {
            switch (attr) {
                case "Arn":
                    return queueArn(id);
                case "QueueName":
                    return queueName(id);
                case "QueueUrl":
                    return queueUrl(id);
                default:
                    break;
            }
        } else if (TABLE.equals(type)) {
            if (attr.equals("Arn")) {
                return tableArn(id);
            }
            if (attr.equals("StreamArn")) {
                throw new UnsupportedOperationException("Fn::GetAtt " + id + ".StreamArn: DynamoDB streams are not available on "
                        + "the local stack (dynalite has none)");
            }
        }
        throw new UnsupportedOperationException("Fn::GetAtt " + id + "." + attr + " (" + type + ") is not supported locally");
    }

    private String sub(Object arg) {
        String text;
        Map<String, Object> vars = Collections.emptyMap();
        if (arg instanceof String s) {
            text = s;
        } else if (arg instanceof List<?> l && l.size() == 2 && l.get(0) instanceof String s && l.get(1) instanceof Map<?, ?>) {
            text = s;
            vars = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) l.get(1)).entrySet()) {
                vars.put(String.valueOf(e.getKey()), resolve(e.getValue()));
            }
        } else {
            throw new IllegalArgumentException("Fn::Sub needs a string or [string, {variables}], got " + arg);
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            int start = text.indexOf("${", i);
            if (start < 0) {
                out.append(text, i, text.length());
                break;
            }
            out.append(text, i, start);
            int end = text.indexOf('}', start);
            if (end < 0) {
                throw new IllegalArgumentException("Fn::Sub: unclosed ${ in '" + text + "'");
            }
            String name = text.substring(start + 2, end).trim();
            if (name.startsWith("!")) {
                out.append("${").append(name.substring(1)).append('}');
            } else if (vars.containsKey(name)) {
                out.append(scalar(vars.get(name), "Fn::Sub variable " + name));
            } else if (name.contains(".") && !name.startsWith("AWS::")) {
                out.append(scalar(getAtt(name), "Fn::Sub ${" + name + "}"));
            } else {
                out.append(scalar(ref(name), "Fn::Sub ${" + name + "}"));
            }
            i = end + 1;
        }
        return out.toString();
    }

    private String join(Object arg) {
        if (!(arg instanceof List<?> l) || l.size() != 2) {
            throw new IllegalArgumentException("Fn::Join needs [delimiter, [values]], got " + arg);
        }
        String delimiter = asString(resolve(l.get(0)), "Fn::Join delimiter");
        Object values = resolve(l.get(1));
        if (!(values instanceof List<?> vs)) {
            throw new IllegalArgumentException("Fn::Join needs a list of values, got " + values);
        }
        List<String> parts = new ArrayList<>();
        vs.forEach(x -> parts.add(scalar(x, "Fn::Join value")));
        return String.join(delimiter, parts);
    }

    private Object select(Object arg) {
        if (!(arg instanceof List<?> l) || l.size() != 2) {
            throw new IllegalArgumentException("Fn::Select needs [index, [values]], got " + arg);
        }
        int index = Integer.parseInt(scalar(resolve(l.get(0)), "Fn::Select index").trim());
        Object values = resolve(l.get(1));
        if (!(values instanceof List<?> vs) || index < 0 || index >= vs.size()) {
            throw new IllegalArgumentException("Fn::Select index " + index + " out of range for " + values);
        }
        return vs.get(index);
    }

    private List<Object> split(Object arg) {
        if (!(arg instanceof List<?> l) || l.size() != 2) {
            throw new IllegalArgumentException("Fn::Split needs [delimiter, string], got " + arg);
        }
        String delimiter = asString(resolve(l.get(0)), "Fn::Split delimiter");
        String source = scalar(resolve(l.get(1)), "Fn::Split source");
        return new ArrayList<>(Arrays.asList(source.split(Pattern.quote(delimiter), -1)));
    }

    // ------------------------------------------------------------------ functions

    /** Globals.Function.Environment.Variables merged with the function's own, every value resolved to a String. */
    public Map<String, String> functionEnvironment(String functionLogicalId) {
        Map<String, Object> props = template.functionProperties(functionLogicalId);
        Map<String, Object> env = CfnTemplate.asMap(props.get("Environment"));
        Map<String, Object> vars = CfnTemplate.asMap(env.get("Variables"));
        Map<String, String> out = new LinkedHashMap<>();
        vars.forEach((k, v) -> {
            try {
                out.put(k, resolveString(v));
            } catch (RuntimeException e) {
                throw new IllegalStateException("Cannot resolve environment variable " + k + " of " + functionLogicalId + ": "
                        + e.getMessage(), e);
            }
        });
        return out;
    }

    // ------------------------------------------------------------------ helpers

    private Map<String, Object> requireType(String logicalId, String type) {
        Map<String, Object> r = template.resources().get(logicalId);
        if (r == null) {
            throw new IllegalArgumentException("No resource " + logicalId + " in the template");
        }
        if (!type.equals(r.get("Type"))) {
            throw new IllegalArgumentException(logicalId + " is a " + r.get("Type") + ", not an " + type);
        }
        return CfnTemplate.asMap(r.get("Properties"));
    }

    private static String asString(Object o, String what) {
        if (o instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException(what + " needs a string, got " + o);
    }

    private static String scalar(Object o, String what) {
        if (o instanceof Map || o instanceof List || o == null) {
            throw new IllegalArgumentException(what + " needs a single value, got " + o);
        }
        return scalarToString(o);
    }

    static String scalarToString(Object o) {
        return String.valueOf(o);
    }

    static boolean isTrue(Object o) {
        return Boolean.TRUE.equals(o) || "true".equalsIgnoreCase(String.valueOf(o));
    }
}
