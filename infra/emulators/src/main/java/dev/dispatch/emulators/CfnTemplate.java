package dev.dispatch.emulators;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A CloudFormation/SAM template parsed with SnakeYAML; every short tag becomes its long form
 * ({@code !Ref X} -> {@code {"Ref": "X"}}, {@code !GetAtt A.B} -> {@code {"Fn::GetAtt": ["A", "B"]}}, {@code !Sub s}
 * -> {@code {"Fn::Sub": s}}, ...). Maps keep file order.
 */
public final class CfnTemplate {

    private final Path source;
    private final Map<String, Object> root;

    private CfnTemplate(Path source, Map<String, Object> root) {
        this.source = source;
        this.root = root;
    }

    /** Reads and parses a template file. */
    public static CfnTemplate load(Path templateYaml) {
        try (Reader r = Files.newBufferedReader(templateYaml, StandardCharsets.UTF_8)) {
            return new CfnTemplate(templateYaml, parse(r, templateYaml.toString()));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + templateYaml + ": " + e.getMessage(), e);
        }
    }

    /** Parses template text (for tests and tools). */
    public static CfnTemplate parse(String yaml) {
        return new CfnTemplate(null, parse(new StringReader(yaml), "<string>"));
    }

    /** The file this template was loaded from, or null when parsed from a string. */
    public Path source() {
        return source;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(Reader reader, String name) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setCodePointLimit(50 * 1024 * 1024);
        Object doc;
        try {
            doc = new Yaml(new CfnConstructor(options)).load(reader);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Cannot parse CloudFormation template " + name + ": " + e.getMessage(), e);
        }
        if (!(doc instanceof Map)) {
            throw new IllegalArgumentException("CloudFormation template " + name + " is not a YAML mapping");
        }
        return (Map<String, Object>) doc;
    }

    /** The whole document. */
    public Map<String, Object> root() {
        return root;
    }

    /** logicalId -> resource (Type, Properties, ...), in file order. */
    public Map<String, Map<String, Object>> resources() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        Object res = root.get("Resources");
        if (res instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(String.valueOf(e.getKey()), asMap(e.getValue()));
            }
        }
        return out;
    }

    /** Resources of one type, e.g. {@code AWS::SQS::Queue}, in file order. */
    public Map<String, Map<String, Object>> resourcesOfType(String type) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        resources().forEach((id, r) -> {
            if (type.equals(r.get("Type"))) {
                out.put(id, r);
            }
        });
        return out;
    }

    /** The Properties of a resource (empty map when absent). Addition to the agreed API. */
    public Map<String, Object> properties(String logicalId) {
        Map<String, Object> r = resources().get(logicalId);
        if (r == null) {
            throw new IllegalArgumentException("No resource " + logicalId + " in the template");
        }
        return asMap(r.get("Properties"));
    }

    /** Parameters section (name -> declaration), empty when absent. Addition to the agreed API. */
    public Map<String, Map<String, Object>> parameters() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        if (root.get("Parameters") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), asMap(v)));
        }
        return out;
    }

    /** Globals.Function, or an empty map. */
    public Map<String, Object> globalsFunction() {
        Map<String, Object> globals = asMap(root.get("Globals"));
        return asMap(globals.get("Function"));
    }

    /**
     * Globals.Function merged with the function's Properties: maps are merged deeply (e.g. Environment.Variables),
     * the function's value wins otherwise. Returns a fresh copy.
     */
    public Map<String, Object> functionProperties(String logicalId) {
        Map<String, Object> r = resources().get(logicalId);
        if (r == null) {
            throw new IllegalArgumentException("No resource " + logicalId + " in the template");
        }
        if (!"AWS::Serverless::Function".equals(r.get("Type"))) {
            throw new IllegalArgumentException(logicalId + " is a " + r.get("Type") + ", not an AWS::Serverless::Function");
        }
        return deepMerge(globalsFunction(), asMap(r.get("Properties")));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> deepMerge(Map<String, Object> base, Map<String, Object> over) {
        Map<String, Object> out = (Map<String, Object>) deepCopy(base);
        for (Map.Entry<String, Object> e : over.entrySet()) {
            Object mine = out.get(e.getKey());
            Object theirs = e.getValue();
            if (mine instanceof Map && theirs instanceof Map) {
                out.put(e.getKey(), deepMerge((Map<String, Object>) mine, (Map<String, Object>) theirs));
            } else {
                out.put(e.getKey(), deepCopy(theirs));
            }
        }
        return out;
    }

    static Object deepCopy(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> c = new LinkedHashMap<>();
            m.forEach((k, v) -> c.put(String.valueOf(k), deepCopy(v)));
            return c;
        }
        if (o instanceof List<?> l) {
            List<Object> c = new ArrayList<>(l.size());
            l.forEach(v -> c.add(deepCopy(v)));
            return c;
        }
        return o;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object o) {
        if (o == null) {
            return Collections.emptyMap();
        }
        if (o instanceof Map) {
            return (Map<String, Object>) o;
        }
        throw new IllegalArgumentException("Expected a mapping but found " + o);
    }

    /** SafeConstructor that turns CloudFormation short tags into their long (JSON) form. */
    private static final class CfnConstructor extends SafeConstructor {

        CfnConstructor(LoaderOptions options) {
            super(options);
            for (String fn : List.of("Join", "If", "Select", "Split", "GetAZs", "ImportValue", "FindInMap", "Base64",
                    "Cidr", "Equals", "And", "Or", "Not", "Sub", "Transform", "Length", "ToJsonString")) {
                yamlConstructors.put(new Tag("!" + fn), new Intrinsic("Fn::" + fn, false));
            }
            yamlConstructors.put(new Tag("!Ref"), new Intrinsic("Ref", false));
            yamlConstructors.put(new Tag("!Condition"), new Intrinsic("Condition", false));
            yamlConstructors.put(new Tag("!GetAtt"), new Intrinsic("Fn::GetAtt", true));
        }

        private final class Intrinsic extends AbstractConstruct {
            private final String key;
            private final boolean getAtt;

            Intrinsic(String key, boolean getAtt) {
                this.key = key;
                this.getAtt = getAtt;
            }

            @Override
            public Object construct(Node node) {
                Object value;
                if (node instanceof ScalarNode s) {
                    String text = constructScalar(s);
                    if (getAtt) {
                        int dot = text.indexOf('.');
                        if (dot <= 0 || dot == text.length() - 1) {
                            throw new IllegalArgumentException("!GetAtt needs Resource.Attribute, got '" + text + "'");
                        }
                        value = new ArrayList<>(List.of(text.substring(0, dot), text.substring(dot + 1)));
                    } else {
                        value = text;
                    }
                } else if (node instanceof SequenceNode q) {
                    value = new ArrayList<>(constructSequence(q));
                } else if (node instanceof MappingNode m) {
                    value = new LinkedHashMap<>(constructMapping(m));
                } else {
                    throw new IllegalArgumentException("Unsupported node for " + key + ": " + node);
                }
                Map<String, Object> out = new LinkedHashMap<>();
                out.put(key, value);
                return out;
            }
        }
    }
}
