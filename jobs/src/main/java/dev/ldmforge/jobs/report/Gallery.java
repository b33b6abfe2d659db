package dev.ldmforge.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ldmforge.schemas.DeadLetter;
import dev.ldmforge.schemas.GeneratedImage;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static java.util.Comparator.naturalOrder;
import static java.util.Comparator.nullsLast;

/**
 * The job's {@code index.html}: the summary, a grid of thumbnails with their generation parameters, and the dead
 * letters. One self-contained page (inline CSS; no scripts, fonts or other external resources) that opens from the
 * output folder, or from a synced-down copy of an s3:// output: images are linked relative to the output root. Every
 * value taken from the data is HTML-escaped.
 */
public final class Gallery {
    public static final int DEFAULT_LIMIT = 1000;
    public static final String CONTENT_TYPE = "text/html; charset=utf-8";

    private static final Comparator<GeneratedImage> IMAGE_ORDER =
            Comparator.comparing(GeneratedImage::requestId).thenComparingInt(GeneratedImage::imageIndex);
    private static final Comparator<DeadLetter> SOURCE_ORDER =
            Comparator.comparing(DeadLetter::sourceFile, nullsLast(naturalOrder()))
                    .thenComparing(DeadLetter::sourceRow, nullsLast(naturalOrder()))
                    .thenComparing(DeadLetter::topic, nullsLast(naturalOrder()))
                    .thenComparing(DeadLetter::partition, nullsLast(naturalOrder()))
                    .thenComparing(DeadLetter::offset, nullsLast(naturalOrder()))
                    .thenComparing(DeadLetter::requestId, nullsLast(naturalOrder()))
                    .thenComparing(DeadLetter::errorMessage, nullsLast(naturalOrder()));
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_./:=,@%+-]+");

    private static final String CSS = """
            body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222;background:#fafafa}
            table{border-collapse:collapse;margin-bottom:1rem}
            th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
            th{background:#eee;font-weight:600}
            ul{margin:0;padding-left:1.2rem}
            .ok{color:#070;font-weight:700}.bad{color:#b00;font-weight:700}
            .note{background:#ffd;padding:.4rem .6rem}
            .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:1rem;align-items:start}
            figure{margin:0;background:#fff;border:1px solid #ddd;padding:.5rem}
            figure img{display:block;width:100%;height:auto;background:#eee}
            .prompt{font-weight:600;margin:.4rem 0 .2rem;overflow-wrap:anywhere}
            .negative-prompt{color:#844;margin:0 0 .3rem;overflow-wrap:anywhere}
            .negative-prompt::before{content:"negative: ";color:#999}
            dl{display:grid;grid-template-columns:auto 1fr;gap:0 .5rem;margin:0;font-size:12px}
            dt{color:#666}dd{margin:0;overflow-wrap:anywhere}
            code{white-space:pre-wrap;overflow-wrap:anywhere}
            """;

    private Gallery() {
    }

    /**
     * @param outputRoot the job's output location (path, file: or s3:// URI) that {@code image_uri}s lie under
     * @param limit      at most this many thumbnails, and as many dead-letter rows, are shown; a note counts the rest
     * @throws IllegalArgumentException when an image is not stored under {@code outputRoot}
     */
    public static String render(JobSummary summary, List<GeneratedImage> images, List<DeadLetter> deadLetters,
                                String outputRoot, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("gallery limit must be >= 0, got " + limit);
        }
        StringBuilder html = new StringBuilder(4096 + 1024 * Math.min(limit, images.size()));
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>LDM Forge: ").append(escape(summary.modelId())).append("</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n")
                .append("<h1>LDM Forge: ").append(escape(summary.modelId())).append("</h1>\n");
        appendSummary(html, summary);
        appendImages(html, images, outputRoot, limit);
        appendDeadLetters(html, deadLetters, limit);
        return html.append("</body>\n</html>\n").toString();
    }

    /** Escapes text for HTML element content and quoted attribute values; null is empty. */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    // Rendered from the JSON tree, so the page shows exactly the fields of _SUMMARY.json, in its order.
    private static void appendSummary(StringBuilder html, JobSummary summary) {
        html.append("<h2>Summary</h2>\n<table class=\"summary\">\n");
        for (Map.Entry<String, JsonNode> field : summary.toJsonTree().properties()) {
            JsonNode value = field.getValue();
            String cls = value.isBoolean() ? (value.asBoolean() ? " class=\"ok\"" : " class=\"bad\"") : "";
            html.append("<tr><th>").append(escape(field.getKey())).append("</th><td").append(cls).append('>')
                    .append(summaryValue(value)).append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private static String summaryValue(JsonNode value) {
        if (value.isNull()) {
            return "—";
        }
        if (value.isArray()) {
            return StreamSupport.stream(value.spliterator(), false).map(arg -> shellQuote(arg.asText()))
                    .map(Gallery::escape).collect(Collectors.joining(" ", "<code>", "</code>"));
        }
        if (value.isObject()) {
            return value.properties().stream()
                    .map(e -> "<li>" + escape(e.getKey()) + ": " + escape(e.getValue().asText()) + "</li>")
                    .collect(Collectors.joining("", "<ul>", "</ul>"));
        }
        return escape(value.asText());
    }

    private static String shellQuote(String arg) {
        return SHELL_SAFE.matcher(arg).matches() ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }

    private static void appendImages(StringBuilder html, List<GeneratedImage> images, String outputRoot, int limit) {
        html.append("<h2>Images (").append(images.size()).append(")</h2>\n");
        appendOmittedNote(html, images.size(), limit, "images", "request_id, image_index");
        html.append("<div class=\"grid\">\n");
        images.stream().sorted(IMAGE_ORDER).limit(limit).forEach(image -> appendImage(html, image, outputRoot));
        html.append("</div>\n");
    }

    private static void appendImage(StringBuilder html, GeneratedImage image, String outputRoot) {
        String href = escape(RelativeLinks.href(RelativeLinks.relativePath(outputRoot, image.imageUri())));
        html.append("<figure class=\"image\">\n<a href=\"").append(href).append("\"><img src=\"").append(href)
                .append("\" width=\"").append(image.width()).append("\" height=\"").append(image.height())
                .append("\" alt=\"").append(escape(image.prompt()))
                .append("\" loading=\"lazy\" decoding=\"async\"></a>\n<figcaption>\n")
                .append("<p class=\"prompt\">").append(escape(image.prompt())).append("</p>\n")
                .append("<p class=\"negative-prompt\">").append(escape(image.negativePrompt())).append("</p>\n<dl>");
        term(html, "seed", Long.toString(image.seed()));
        term(html, "scheduler", image.scheduler());
        term(html, "steps", Integer.toString(image.numInferenceSteps()));
        term(html, "guidance", Double.toString(image.guidanceScale()));
        term(html, "size", image.width() + "×" + image.height());
        if (image.strength() != null) {
            term(html, "strength", image.strength().toString());
            term(html, "init_image", image.initImageUri());
        }
        term(html, "request_id", image.requestId());
        term(html, "image_index", Integer.toString(image.imageIndex()));
        term(html, "status", image.status().name());
        html.append("</dl>\n</figcaption>\n</figure>\n");
    }

    private static void term(StringBuilder html, String name, String value) {
        html.append("<dt>").append(name).append("</dt><dd>").append(escape(value)).append("</dd>");
    }

    private static void appendDeadLetters(StringBuilder html, List<DeadLetter> deadLetters, int limit) {
        html.append("<h2>Dead letters (").append(deadLetters.size()).append(")</h2>\n");
        if (deadLetters.isEmpty()) {
            html.append("<p>None.</p>\n");
            return;
        }
        appendOmittedNote(html, deadLetters.size(), limit, "dead letters", "source");
        html.append("<table class=\"dead-letters\">\n<thead><tr><th>source</th><th>request_id</th>"
                + "<th>error_code</th><th>error_message</th></tr></thead>\n<tbody>\n");
        deadLetters.stream().sorted(SOURCE_ORDER).limit(limit).forEach(d -> html
                .append("<tr><td>").append(escape(source(d))).append("</td><td>").append(escape(d.requestId()))
                .append("</td><td>").append(escape(d.errorCode().name())).append("</td><td>")
                .append(escape(d.errorMessage())).append("</td></tr>\n"));
        html.append("</tbody>\n</table>\n");
    }

    private static String source(DeadLetter d) {
        if (d.sourceFile() != null) {
            return d.sourceRow() == null ? d.sourceFile() : d.sourceFile() + " row " + d.sourceRow();
        }
        if (d.topic() != null) {
            return d.topic() + " partition " + d.partition() + " offset " + d.offset();
        }
        return "unknown";
    }

    private static void appendOmittedNote(StringBuilder html, int total, int limit, String what, String order) {
        if (total > limit) {
            html.append("<p class=\"note\">").append(total - limit).append(' ').append(what)
                    .append(" left out: showing the first ").append(limit).append(" of ").append(total)
                    .append(" (by ").append(order).append(").</p>\n");
        }
    }
}
