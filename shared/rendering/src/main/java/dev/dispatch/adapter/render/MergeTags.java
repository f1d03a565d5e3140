package dev.dispatch.adapter.render;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Substitution tags for rendering a template once for many recipients (SendGrid {@code substitutions}).
 *
 * <p>Every scalar variable whose value differs between the given contexts gets a unique tag; variables equal for
 * everyone keep their real value, so a conditional on them renders as it would for each recipient. Render each
 * template once with {@link #htmlContext()} (HTML bodies) or {@link #textContext()} (subjects, preheaders, text
 * bodies), then give each recipient {@link #substitutions(Map)}: tag to the value exactly as the matching template
 * prints it (HTML-escaped for HTML tags). HTML and text tags differ because the same value prints differently in
 * each. The result is a claim for the provider to verify per recipient, never to trust: a conditional or a
 * {@code default} fallback on a tagged variable renders differently from the recipient's own rendering, and such
 * recipients are sent alone. Tags carry a random part, so template text can't collide with them by accident.
 */
public final class MergeTags {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();
    private static final int MAX_DEPTH = 4;

    private final String prefix;
    private final List<TaggedPath> paths = new ArrayList<>();
    private final Map<String, Object> htmlContext;
    private final Map<String, Object> textContext;

    private final Set<String> roots;

    private MergeTags(List<Map<String, Object>> contexts, Set<String> roots) {
        this.prefix = "%%dv" + nonce() + "_";
        this.roots = roots;
        this.htmlContext = new LinkedHashMap<>();
        this.textContext = new LinkedHashMap<>();
        collect(contexts, List.of(), htmlContext, textContext, 0);
    }

    /** Tags for the variables of these recipients' contexts (as {@link PersonalizationContext} builds them). */
    public static MergeTags of(List<Map<String, Object>> contexts) {
        return new MergeTags(contexts, null);
    }

    /**
     * Tags for the variables under the given top-level names only (those the templates read; null for all).
     * Unread variables are left out of the tagged contexts and of the substitutions.
     */
    public static MergeTags of(List<Map<String, Object>> contexts, Set<String> roots) {
        return new MergeTags(contexts, roots);
    }

    /**
     * Splits recipients into groups that can share one tagged rendering: within a group every variable the
     * templates read is either equal for all, or non-blank and truthy for all. A tag is always truthy, so a
     * recipient whose {@code {{#if plan}}} or {@code {{default firstName "there"}}} goes the other way is put in a
     * group of its own kind instead of failing verification. Lists that differ don't split groups. Returns
     * positions into {@code contexts}, groups in order of their first member.
     */
    public static List<List<Integer>> partitions(List<Map<String, Object>> contexts, Set<String> roots) {
        List<List<String>> leaves = new ArrayList<>();
        leafPaths(contexts, List.of(), roots, leaves, 0);
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < contexts.size(); i++) {
            StringBuilder signature = new StringBuilder();
            for (List<String> path : leaves) {
                signature.append(kind(valueAt(contexts.get(i), path))).append('\u0000');
            }
            groups.computeIfAbsent(signature.toString(), k -> new ArrayList<>()).add(i);
        }
        return List.copyOf(groups.values());
    }

    /**
     * The text derived from a tagged HTML rendering has the HTML tags, whose values are escaped; the text
     * derived from a recipient's HTML has the values unescaped, which is what the text tags stand for.
     */
    public String htmlTagsAsTextTags(String derivedText) {
        return derivedText == null ? null : derivedText.replace(prefix + "h", prefix + "t");
    }

    /** What every tag starts with. */
    public String prefix() {
        return prefix;
    }

    public Map<String, Object> htmlContext() {
        return htmlContext;
    }

    public Map<String, Object> textContext() {
        return textContext;
    }

    /** This recipient's values for every tag (a missing value prints as nothing, as in a real rendering). */
    public Map<String, String> substitutions(Map<String, Object> context) {
        Map<String, String> values = new LinkedHashMap<>();
        for (TaggedPath path : paths) {
            Object value = valueAt(context, path.keys());
            if (value instanceof Map<?, ?> || value instanceof List<?>) {
                value = null; // can't be what a scalar tag stands for: verification will send this one alone
            }
            values.put(path.htmlTag(), HandlebarsTemplates.formatHtml(value));
            values.put(path.textTag(), HandlebarsTemplates.format(value));
        }
        return values;
    }

    private void collect(List<Map<String, Object>> contexts, List<String> keys, Map<String, Object> html,
            Map<String, Object> text, int depth) {
        for (String name : names(contexts, keys, keys.isEmpty() ? roots : null)) {
            List<String> path = append(keys, name);
            List<Object> values = new ArrayList<>(contexts.size());
            boolean anyMap = false;
            for (Map<String, Object> context : contexts) {
                Object value = valueAt(context, path);
                values.add(value);
                anyMap |= value instanceof Map<?, ?>;
            }
            if (allEqual(values)) {
                // Same for everyone (lists and maps included): the real value, so conditionals stay exact.
                if (values.get(0) != null) {
                    html.put(name, values.get(0));
                    text.put(name, values.get(0));
                }
            } else if (anyMap) {
                if (depth < MAX_DEPTH) {
                    Map<String, Object> childHtml = new LinkedHashMap<>();
                    Map<String, Object> childText = new LinkedHashMap<>();
                    collect(contexts, path, childHtml, childText, depth + 1);
                    html.put(name, childHtml);
                    text.put(name, childText);
                }
            } else if (values.stream().noneMatch(v -> v instanceof List<?>)) {
                int index = paths.size();
                TaggedPath tagged = new TaggedPath(path, prefix + "h" + index + "%%", prefix + "t" + index + "%%");
                paths.add(tagged);
                html.put(name, tagged.htmlTag());
                text.put(name, tagged.textTag());
            }
            // Lists that differ between recipients are left out: templates iterating them can't share a rendering.
        }
    }

    private static Set<String> names(List<Map<String, Object>> contexts, List<String> keys, Set<String> roots) {
        Set<String> names = new LinkedHashSet<>();
        for (Map<String, Object> context : contexts) {
            Object node = keys.isEmpty() ? context : valueAt(context, keys);
            if (node instanceof Map<?, ?> map) {
                for (Object key : map.keySet()) {
                    String name = String.valueOf(key);
                    if (roots == null || roots.contains(name)) {
                        names.add(name);
                    }
                }
            }
        }
        return names;
    }

    private static void leafPaths(List<Map<String, Object>> contexts, List<String> keys, Set<String> roots,
            List<List<String>> leaves, int depth) {
        for (String name : names(contexts, keys, keys.isEmpty() ? roots : null)) {
            List<String> path = append(keys, name);
            boolean anyMap = contexts.stream().anyMatch(c -> valueAt(c, path) instanceof Map<?, ?>);
            if (anyMap && depth < MAX_DEPTH) {
                leafPaths(contexts, path, roots, leaves, depth + 1);
            } else {
                leaves.add(path);
            }
        }
    }

    /** How a value behaves in {@code #if} and {@code default}: falsy and blank values by value, the rest alike. */
    private static String kind(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Boolean flag) {
            return flag ? "truthy" : "false";
        }
        if (value instanceof CharSequence text) {
            return text.toString().isBlank() ? "blank:" + text : "truthy";
        }
        if (value instanceof Number number) {
            return number.doubleValue() == 0 ? "zero:" + number : "truthy";
        }
        if (value instanceof List<?> list) {
            return list.isEmpty() ? "empty-list" : "truthy";
        }
        if (value instanceof Map<?, ?> map) {
            return map.isEmpty() ? "empty-map" : "map";
        }
        return "truthy";
    }

    private static boolean allEqual(List<Object> values) {
        Object first = values.get(0);
        for (Object value : values) {
            if (!Objects.equals(first, value)) {
                return false;
            }
        }
        return true;
    }

    private static Object valueAt(Map<String, Object> context, List<String> keys) {
        Object node = context;
        for (String key : keys) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(key);
        }
        return node;
    }

    private static List<String> append(List<String> keys, String name) {
        List<String> path = new ArrayList<>(keys);
        path.add(name);
        return List.copyOf(path);
    }

    private static String nonce() {
        char[] chars = new char[8];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(chars);
    }

    private record TaggedPath(List<String> keys, String htmlTag, String textTag) {}
}
