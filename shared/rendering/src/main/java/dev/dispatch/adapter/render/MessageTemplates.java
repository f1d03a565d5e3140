package dev.dispatch.adapter.render;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.message.CompiledTemplate;
import dev.dispatch.domain.message.MergeForm;
import dev.dispatch.domain.message.MessageContent;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The four templates of one message variant (subject, preheader, HTML, text), compiled once: the subject,
 * preheader and text with {@link HandlebarsTemplates#text()}, the HTML with {@link HandlebarsTemplates#html()}.
 * Thread-safe.
 */
public final class MessageTemplates {
    private final CompiledTemplate subject;
    private final CompiledTemplate preheader;
    private final CompiledTemplate html;
    private final CompiledTemplate text;

    private MessageTemplates(CompiledTemplate subject, CompiledTemplate preheader, CompiledTemplate html,
            CompiledTemplate text) {
        this.subject = subject;
        this.preheader = preheader;
        this.html = html;
        this.text = text;
    }

    /**
     * @param fieldPrefix names the variant in errors: "variants[1]." gives fields such as "variants[1].html"
     * @throws InvalidInputException a missing subject, no body at all, or a template that doesn't compile
     */
    public static MessageTemplates compile(String subject, String preheader, String html, String text, String fieldPrefix) {
        String prefix = fieldPrefix == null ? "" : fieldPrefix;
        if (subject == null || subject.isBlank()) {
            throw new InvalidInputException(prefix + "subject", "is required");
        }
        if ((html == null || html.isBlank()) && (text == null || text.isBlank())) {
            throw new InvalidInputException(prefix + "html", "an HTML or a text body is required");
        }
        HandlebarsTemplates plain = HandlebarsTemplates.text();
        return new MessageTemplates(
                plain.compile(subject, prefix + "subject"),
                preheader == null || preheader.isBlank() ? null : plain.compile(preheader, prefix + "preheader"),
                html == null || html.isBlank() ? null : HandlebarsTemplates.html().compile(html, prefix + "html"),
                text == null || text.isBlank() ? null : plain.compile(text, prefix + "text"));
    }

    /** One recipient's content. */
    public MessageContent render(Map<String, Object> context) {
        return new MessageContent(subject.render(context), render(preheader, context), render(html, context),
                render(text, context));
    }

    /**
     * Every recipient's content with its {@link MergeForm}. Recipients are grouped so that each group shares one
     * tagged rendering ({@link MergeTags#partitions}); per group the templates are rendered once more with
     * {@link MergeTags}, and each recipient gets its substitutions. Results are in the order of the contexts.
     */
    public List<Rendered> renderAll(List<Map<String, Object>> contexts) {
        Rendered[] rendered = new Rendered[contexts.size()];
        Set<String> roots = roots();
        for (List<Integer> group : MergeTags.partitions(contexts, roots)) {
            List<Map<String, Object>> members = group.stream().map(contexts::get).toList();
            MergeTags tags = MergeTags.of(members, roots);
            String taggedHtml = render(html, tags.htmlContext());
            String taggedText = text != null ? render(text, tags.textContext())
                    : tags.htmlTagsAsTextTags(HtmlText.fromHtml(taggedHtml));
            // The preheader only ever appears HTML-escaped inside the HTML body, so it carries the HTML tags.
            MessageContent tagged = new MessageContent(subject.render(tags.textContext()),
                    render(preheader, tags.htmlContext()), taggedHtml, taggedText);
            for (int i = 0; i < group.size(); i++) {
                Map<String, Object> context = members.get(i);
                rendered[group.get(i)] = new Rendered(render(context), new MergeForm(tagged, tags.substitutions(context)));
            }
        }
        return List.of(rendered);
    }

    /** What the four templates read at top level; null if any of them reads the context as a whole. */
    private Set<String> roots() {
        Set<String> roots = new HashSet<>();
        for (CompiledTemplate template : new CompiledTemplate[] {subject, preheader, html, text}) {
            if (template != null) {
                Set<String> read = HandlebarsTemplates.roots(template);
                if (read == null) {
                    return null;
                }
                roots.addAll(read);
            }
        }
        return roots;
    }

    private static String render(CompiledTemplate template, Map<String, Object> context) {
        return template == null ? null : template.render(context);
    }

    /** A recipient's own content and the merge form that may batch it with others. */
    public record Rendered(MessageContent content, MergeForm merge) {}
}
