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
        return p;
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

    List<String> policiesAreLeastPrivilege() {
        List<String> p = new ArrayList<>();
        functions().forEach((id, r) -> {
            Object policies = t.functionProperties(id).get("Policies");
            List<?> list = policies instanceof List<?> l ? l : policies == null ? List.of() : List.of(policies);
            if (list.isEmpty()) {
                p.add(id + ": no Policies");
            }
            for (Object policy : list) {
                if (policy instanceof String name) {
                    if (name.contains("FullAccess") || name.contains("AdministratorAccess") || name.contains("PowerUser")) {
                        p.add(id + ": managed policy " + name + " is too broad");
                    }
                } else if (policy instanceof Map<?, ?> m && m.containsKey("Statement")) {
                    Object statements = m.get("Statement");
                    for (Object s : statements instanceof List<?> sl ? sl : List.of(statements)) {
                        checkStatement(id, map(s), p);
                    }
                } else if (!(policy instanceof Map<?, ?> m && m.size() == 1
                        && String.valueOf(m.keySet().iterator().next()).endsWith("Policy"))) {
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
        List<String> resources = strings(s.get("Resource"));
        boolean dataAction = false;
        for (String a : actions) {
            String lower = a.toLowerCase(Locale.ROOT);
            if (lower.equals("*") || lower.equals("dynamodb:*") || lower.equals("sqs:*")) {
                p.add(id + ": grants action " + a);
            }
            dataAction |= lower.startsWith("dynamodb:") || lower.startsWith("sqs:");
        }
        if (dataAction && resources.contains("*")) {
            p.add(id + ": grants DynamoDB/SQS actions on Resource *");
        }
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
