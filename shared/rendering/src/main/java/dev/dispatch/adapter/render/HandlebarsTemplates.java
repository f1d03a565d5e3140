package dev.dispatch.adapter.render;

import com.github.jknack.handlebars.EscapingStrategy;
import com.github.jknack.handlebars.Formatter;
import com.github.jknack.handlebars.Handlebars;
import com.github.jknack.handlebars.HandlebarsError;
import com.github.jknack.handlebars.HandlebarsException;
import com.github.jknack.handlebars.Helper;
import com.github.jknack.handlebars.Options;
import com.github.jknack.handlebars.TagType;
import com.github.jknack.handlebars.Template;
import com.github.jknack.handlebars.context.MapValueResolver;
import com.github.jknack.handlebars.io.AbstractTemplateLoader;
import com.github.jknack.handlebars.io.TemplateSource;
import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.message.CompiledTemplate;
import dev.dispatch.domain.message.TemplateRenderer;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Handlebars templates (jknack handlebars.java), in two flavours: {@link #html()} escapes every {@code {{value}}}
 * for HTML (as handlebars.js 4 does), {@link #text()} escapes nothing (subjects, preheaders, text bodies).
 *
 * <p>Rendering reads {@code Map}s only ({@link MapValueResolver}), never Java beans through reflection, so it
 * stays native-image friendly and a context can't reach methods of arbitrary objects. Helpers: the built-in
 * {@code if}, {@code unless}, {@code each}, {@code with}, {@code lookup} and a {@code default} helper
 * ({@code {{default firstName "there"}}} gives the fallback when the value is missing, null or blank). Helpers that
 * load files or run scripts ({@code embedded}, {@code precompile}, {@code i18n}, {@code i18nJs}, {@code block},
 * {@code partial}, {@code log}) and partials ({@code {{> name}}}) are refused: a campaign template is user input.
 *
 * <p>Numbers render in plain notation without trailing zeros (an attribute stored as {@code 10.0} renders "10").
 * Compiled templates are immutable and thread-safe: compile once per campaign, render per recipient.
 */
public final class HandlebarsTemplates implements TemplateRenderer {

    /** The escaping of {@link #html()}: handlebars.js 4 rules ({@code & < > " ' ` =}). */
    static final EscapingStrategy HTML_ESCAPING = EscapingStrategy.HBS4;

    private static final String[] REFUSED_HELPERS = {"embedded", "precompile", "i18n", "i18nJs", "block", "partial", "log"};

    private final Handlebars handlebars;
    private final boolean escapesHtml;

    private HandlebarsTemplates(boolean escapesHtml) {
        this.escapesHtml = escapesHtml;
        Handlebars engine = new Handlebars(new NoPartials())
                .with(escapesHtml ? HTML_ESCAPING : EscapingStrategy.NOOP)
                .with(PLAIN_NUMBERS);
        engine.registerHelper("default", DEFAULT_HELPER);
        for (String name : REFUSED_HELPERS) {
            engine.registerHelper(name, refused(name));
        }
        this.handlebars = engine;
    }

    /** For HTML bodies: values are HTML-escaped. */
    public static HandlebarsTemplates html() {
        return Instances.HTML;
    }

    /** For subjects, preheaders and text bodies: values are inserted as they are. */
    public static HandlebarsTemplates text() {
        return Instances.TEXT;
    }

    public boolean escapesHtml() {
        return escapesHtml;
    }

    @Override
    public CompiledTemplate compile(String source, String field) {
        if (source == null) {
            throw new InvalidInputException(field, "is required");
        }
        Template template;
        try {
            template = handlebars.compileInline(source);
        } catch (HandlebarsException e) {
            throw invalid(field, e);
        } catch (IllegalArgumentException e) {
            // The parser's own refusals outside its error reporting, e.g. {{\u0004}}: "A helper's name is required."
            // (found by MessageTemplatesFuzzTest).
            throw new InvalidInputException(field, "is not a valid template: " + firstLine(e.getMessage()));
        } catch (IndexOutOfBoundsException e) {
            // The parser failing on its own input, e.g. a partial named by a lone quote, {{> '}} (found by
            // MessageTemplatesFuzzTest): the template is broken, not the service.
            throw new InvalidInputException(field, "is not a valid template: a tag could not be read");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Compiled compiled = new Compiled(template, field, roots(template));
        // A dry run with an empty context finds what only shows at render time outside of untaken branches:
        // unknown helpers, partials, refused helpers.
        compiled.render(Map.of());
        return compiled;
    }

    /** A value as {@code {{value}}} prints it in a text template (before any escaping). */
    static String format(Object value) {
        if (value == null) {
            return "";
        }
        Object formatted = PLAIN_NUMBERS.format(value, Object::toString);
        return String.valueOf(formatted);
    }

    /** A value as {@code {{value}}} prints it in an HTML template. */
    static String formatHtml(Object value) {
        return HTML_ESCAPING.escape(format(value)).toString();
    }

    private static InvalidInputException invalid(String field, HandlebarsException e) {
        HandlebarsError error = e.getError();
        String reason = describe(error == null ? e.getMessage() : error.reason == null || error.reason.isBlank()
                ? error.message : error.reason, e);
        if (error == null || error.line <= 0) {
            return new InvalidInputException(field, reason);
        }
        // The parser counts lines from 1 and columns from 0; people count both from 1.
        return new InvalidInputException(field, "line " + error.line + ", column " + (error.column + 1) + ": " + reason);
    }

    private static final Pattern FOUND = Pattern.compile("found: '(.*?)'(?:, expected: '(.*)')?");

    /** The parser's terse reasons, said plainly. */
    private static String describe(String reason, HandlebarsException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException && cause.getMessage() != null) {
            return firstLine(cause.getMessage());
        }
        String line = firstLine(reason);
        if (line.contains("partial") || cause instanceof FileNotFoundException) {
            return "partials ({{> name}}) are not available in message templates";
        }
        int at = line.indexOf("java.lang.IllegalArgumentException: ");
        if (at >= 0) {
            return line.substring(at + "java.lang.IllegalArgumentException: ".length());
        }
        Matcher found = FOUND.matcher(line);
        if (found.matches()) {
            String what = found.group(1);
            String expected = found.group(2);
            if (("EOF".equals(what) || "<EOF>".equals(what)) && expected != null && expected.startsWith("{{/")) {
                return "the template ends inside a block: a {{/...}} closing tag is missing";
            }
            if ("EOF".equals(what) || "<EOF>".equals(what)) {
                return "the template ends too early" + (expected == null ? "" : ", expected '" + expected + "'");
            }
            return "unexpected '" + what + "'" + (expected == null ? "" : ", expected '" + expected + "'");
        }
        return line;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "is not a valid template";
        }
        String line = message.strip();
        int newline = line.indexOf('\n');
        return newline < 0 ? line : line.substring(0, newline).strip();
    }

    private static final Formatter PLAIN_NUMBERS = (value, next) -> {
        if (value instanceof BigDecimal decimal) {
            return plain(decimal);
        }
        if ((value instanceof Double || value instanceof Float) && Double.isFinite(((Number) value).doubleValue())) {
            return plain(BigDecimal.valueOf(((Number) value).doubleValue()));
        }
        return next.format(value);
    };

    private static String plain(BigDecimal decimal) {
        return decimal.signum() == 0 ? "0" : decimal.stripTrailingZeros().toPlainString();
    }

    /** {@code {{default value "fallback"}}}: the value unless it is missing, null or blank. */
    private static final Helper<Object> DEFAULT_HELPER = (Object value, Options options) -> {
        Object fallback = options.params.length > 0 ? options.params[0] : "";
        if (value == options.context.model()) {
            return fallback; // {{default}} with no value: the engine passes the whole context, never print that
        }
        if (value == null || (value instanceof CharSequence text && text.toString().isBlank())) {
            return fallback == null ? "" : fallback;
        }
        return value;
    };

    private static Helper<Object> refused(String name) {
        return (context, options) -> {
            throw new IllegalArgumentException("the " + name + " helper is not available in message templates");
        };
    }

    // In a holder: the helpers and formatter above must exist before the engines are built.
    private static final class Instances {
        static final HandlebarsTemplates HTML = new HandlebarsTemplates(true);
        static final HandlebarsTemplates TEXT = new HandlebarsTemplates(false);
    }

    /** Refuses every partial: templates are self-contained user input and must not read files. */
    private static final class NoPartials extends AbstractTemplateLoader {
        @Override
        public TemplateSource sourceAt(String location) throws IOException {
            throw new FileNotFoundException("partials are not available in message templates: " + location);
        }
    }

    /**
     * The top-level context names a template can read (variables, helper parameters, relative names inside blocks
     * counted as top-level too), or null when it reads the context as a whole ({@code this}, {@code @root}).
     * Only an optimisation hint for {@link MergeTags}: a name missed here costs batching, never correctness.
     */
    static Set<String> roots(CompiledTemplate compiled) {
        return compiled instanceof Compiled c ? c.roots() : null;
    }

    private static Set<String> roots(Template template) {
        Set<String> roots = new HashSet<>();
        List<String> names = new ArrayList<>(template.collect(TagType.values()));
        names.addAll(template.collectReferenceParameters());
        for (String name : names) {
            String path = name.strip();
            while (path.startsWith("../") || path.startsWith("./")) {
                path = path.substring(path.indexOf('/') + 1);
            }
            if (path.startsWith("@root.") || path.startsWith("@root/")) {
                path = path.substring(6);
            } else if (path.startsWith("@")) {
                continue; // @index, @key, @first...: data of a block, not of the context
            }
            if (path.startsWith("this.") || path.startsWith("this/")) {
                path = path.substring(5);
            }
            if (path.isEmpty() || path.equals("this") || path.equals("@root") || path.equals(".")) {
                if (!name.equals("this")) {
                    return null;
                }
                continue; // a bare {{this}} inside #each reads the item, handled by the list's own root
            }
            String first = path.split("[./]", 2)[0];
            if (first.startsWith("[") && first.endsWith("]") && first.length() >= 2) {
                first = first.substring(1, first.length() - 1);
            }
            roots.add(first);
        }
        return Set.copyOf(roots);
    }

    private record Compiled(Template template, String field, Set<String> roots) implements CompiledTemplate {
        @Override
        public String render(Map<String, Object> context) {
            com.github.jknack.handlebars.Context scope = com.github.jknack.handlebars.Context
                    .newBuilder(context == null ? Map.of() : context)
                    .resolver(MapValueResolver.INSTANCE)
                    .build();
            try {
                return template.apply(scope);
            } catch (HandlebarsException e) {
                throw invalid(field, e);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(field, firstLine(e.getMessage()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                scope.destroy();
            }
        }
    }
}
