package dev.ldmforge.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ldmforge.schemas.DeadLetter;
import dev.ldmforge.schemas.GeneratedImage;
import dev.ldmforge.schemas.ImageStatus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static java.util.Comparator.naturalOrder;
import static java.util.Comparator.nullsLast;

/**
 * The job's {@code index.html}: images first (at most {@code --gallery-max-images}, a deterministic sample: the
 * images with the smallest sha256 of {@code request_id/image_index}, shown in request order, with filters by status
 * and prompt text), the run summary compact beside them, and the dead letters grouped by code with their counts and
 * a few examples each. One self-contained page (inline CSS and one small inline filter script; no fonts or other
 * external resources) that opens from the output folder, or from a synced-down copy of an s3:// output: loose images
 * are linked relative to the output root; images inside shards or Parquet rows are shown from embedded thumbnails
 * and linked to their shard. Every value taken from the data is HTML-escaped.
 */
public final class Gallery {
    public static final int DEFAULT_LIMIT = 1000;
    /** Dead letters shown per error code; the counts cover all of them. */
    public static final int DEAD_LETTER_EXAMPLES = 20;
    /** The filter script's id: the only script of the page (tests tell it from anything smuggled in). */
    public static final String SCRIPT_ID = "gallery-filters";
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
            [hidden]{display:none!important}
            .layout{display:grid;grid-template-columns:1fr minmax(16rem,22rem);gap:1.5rem;align-items:start}
            @media (max-width:50rem){.layout{grid-template-columns:1fr}}
            aside table{font-size:12px;width:100%}
            .filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin:.5rem 0 1rem}
            .codes td:last-child{text-align:right}
            details{margin:.5rem 0}summary{cursor:pointer;font-weight:600}
            """;

    // The page's only script: hides figures that do not match the status and prompt filters. No data inside.
    private static final String SCRIPT = """
            (function () {
              var status = document.getElementById('filter-status'), text = document.getElementById('filter-prompt');
              var count = document.getElementById('filter-count');
              function apply() {
                var q = text.value.toLowerCase(), shown = 0, figures = document.querySelectorAll('figure.image');
                for (var i = 0; i < figures.length; i++) {
                  var f = figures[i];
                  var ok = (!status.value || f.getAttribute('data-status') === status.value)
                      && (!q || f.getAttribute('data-prompt').toLowerCase().indexOf(q) >= 0);
                  f.hidden = !ok;
                  if (ok) { shown++; }
                }
                count.textContent = shown + ' of ' + figures.length + ' shown';
              }
              status.addEventListener('change', apply);
              text.addEventListener('input', apply);
              apply();
            })();
            """;
    /** Compact summary fields shown beside the images; the full summary sits in a collapsed section below them. */
    private static final List<String> COMPACT = List.of("read", "valid", "generated", "generated_requests",
            "skipped_existing", "dead_lettered", "images", "reconciled", "wall_time_s", "images_per_s", "model_id",
            "device", "dtype");

    private Gallery() {
    }

    /**
     * The page from in-memory rows (tests, small jobs): the gallery sample and the dead-letter examples are chosen
     * here, exactly as the job chooses them in Spark.
     *
     * @param outputRoot the job's output location (path, file: or s3:// URI) that {@code image_uri}s lie under
     * @param limit      at most this many thumbnails; a note counts the rest
     * @throws IllegalArgumentException when an image is not stored under {@code outputRoot}
     */
    public static String render(JobSummary summary, List<GeneratedImage> images, List<DeadLetter> deadLetters,
                                String outputRoot, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("gallery limit must be >= 0, got " + limit);
        }
        List<GeneratedImage> sample = images.stream()
                .sorted(Comparator.comparing((GeneratedImage g) -> sampleKey(g.requestId(), g.imageIndex())))
                .limit(limit).toList();
        Map<String, Long> counts = new TreeMap<>();
        Map<String, List<DeadLetter>> byCode = new TreeMap<>();
        for (DeadLetter d : deadLetters.stream().sorted(SOURCE_ORDER).toList()) {
            counts.merge(d.errorCode().name(), 1L, Long::sum);
            List<DeadLetter> examples = byCode.computeIfAbsent(d.errorCode().name(), c -> new ArrayList<>());
            if (examples.size() < DEAD_LETTER_EXAMPLES) {
                examples.add(d);
            }
        }
        return render(summary, sample, images.size(), Map.of(),
                byCode.values().stream().flatMap(List::stream).toList(), counts, outputRoot);
    }

    /**
     * The page from what the job selected.
     *
     * @param sample         the gallery sample (any order; shown by request_id, image_index)
     * @param totalImages    images in the output; above the sample's size a note says how the sample was drawn
     * @param thumbnails     thumbnail paths relative to the output ({@link Thumbnails}) by {@link #imageId}, for images
     *                       not stored as loose files (shards, Parquet); without one the figure shows its link
     * @param deadLetters    examples, at most {@link #DEAD_LETTER_EXAMPLES} per code
     * @param deadLetterCounts all dead letters of the output by code
     */
    public static String render(JobSummary summary, List<GeneratedImage> sample, long totalImages,
                                Map<String, String> thumbnails, List<DeadLetter> deadLetters,
                                Map<String, Long> deadLetterCounts, String outputRoot) {
        StringBuilder html = new StringBuilder(4096 + 1024 * sample.size());
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>LDM Forge: ").append(escape(summary.modelId())).append("</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n")
                .append("<h1>LDM Forge: ").append(escape(summary.modelId())).append("</h1>\n")
                .append("<div class=\"layout\">\n<main>\n");
        appendImages(html, sample, totalImages, thumbnails, outputRoot);
        html.append("</main>\n<aside>\n");
        appendCompactSummary(html, summary);
        html.append("</aside>\n</div>\n");
        appendDeadLetters(html, deadLetters, deadLetterCounts);
        appendSummary(html, summary);
        html.append("<script id=\"").append(SCRIPT_ID).append("\">\n").append(SCRIPT).append("</script>\n");
        return html.append("</body>\n</html>\n").toString();
    }

    /** The gallery sample's order: the sha256 of {@code request_id/image_index} (Spark: {@code sha2(..., 256)}). */
    public static String sampleKey(String requestId, int imageIndex) {
        return dev.ldmforge.jobs.storage.Sha256.hex((requestId + "/" + imageIndex)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The key of {@code thumbnails}: {@code request_id/image_index}. */
    public static String imageId(String requestId, int imageIndex) {
        return requestId + "/" + imageIndex;
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

    private static void appendCompactSummary(StringBuilder html, JobSummary summary) {
        html.append("<h2>Run</h2>\n<table class=\"compact-summary\">\n");
        var tree = summary.toJsonTree();
        for (String field : COMPACT) {
            JsonNode value = tree.get(field);
            String cls = value.isBoolean() ? (value.asBoolean() ? " class=\"ok\"" : " class=\"bad\"") : "";
            html.append("<tr><th scope=\"row\">").append(escape(field)).append("</th><td").append(cls).append('>')
                    .append(summaryValue(value)).append("</td></tr>\n");
        }
        html.append("</table>\n<p><a href=\"#summary\">full summary</a> · <a href=\"_SUMMARY.json\">_SUMMARY.json</a>"
                + "</p>\n");
    }

    // Rendered from the JSON tree, so the page shows exactly the fields of _SUMMARY.json, in its order.
    private static void appendSummary(StringBuilder html, JobSummary summary) {
        html.append("<h2 id=\"summary\">Summary</h2>\n<table class=\"summary\">\n");
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

    private static void appendImages(StringBuilder html, List<GeneratedImage> sample, long total,
                                     Map<String, String> thumbnails, String outputRoot) {
        html.append("<h2>Images (").append(total).append(")</h2>\n");
        if (total > sample.size()) {
            html.append("<p class=\"note\">Showing ").append(sample.size()).append(" of ").append(total)
                    .append(" images: a deterministic sample (the smallest sha256 of request_id/image_index), "
                            + "in request_id, image_index order.</p>\n");
        }
        html.append("<div class=\"filters\">\n<label>status <select id=\"filter-status\">"
                + "<option value=\"\">all</option>");
        for (ImageStatus status : ImageStatus.values()) {
            html.append("<option>").append(status.name()).append("</option>");
        }
        html.append("</select></label>\n<label>prompt <input id=\"filter-prompt\" type=\"search\" "
                + "placeholder=\"text in the prompt\"></label>\n<span id=\"filter-count\"></span>\n</div>\n");
        html.append("<div class=\"grid\">\n");
        sample.stream().sorted(IMAGE_ORDER).forEach(image -> appendImage(html, image, thumbnails, outputRoot));
        html.append("</div>\n");
    }

    private static void appendImage(StringBuilder html, GeneratedImage image, Map<String, String> thumbnails,
                                    String outputRoot) {
        // A shard member or a Parquet row: the link goes to the shard (the part before '#'), the picture is embedded.
        String uri = image.imageUri();
        int hash = uri.indexOf('#');
        String href = escape(RelativeLinks.href(RelativeLinks.relativePath(outputRoot,
                hash < 0 ? uri : uri.substring(0, hash))));
        String thumbnail = thumbnails.get(imageId(image.requestId(), image.imageIndex()));
        String src = hash < 0 ? href : thumbnail == null ? null : escape(RelativeLinks.href(thumbnail));
        html.append("<figure class=\"image\" data-status=\"").append(image.status().name())
                .append("\" data-prompt=\"").append(escape(image.prompt())).append("\">\n<a href=\"").append(href)
                .append("\">");
        if (src != null) {
            html.append("<img src=\"").append(src).append("\" width=\"").append(image.width())
                    .append("\" height=\"").append(image.height()).append("\" alt=\"").append(escape(image.prompt()))
                    .append("\" loading=\"lazy\" decoding=\"async\">");
        } else {
            html.append(escape(hash < 0 ? uri : uri.substring(uri.lastIndexOf('/') + 1)));
        }
        html.append("</a>\n<figcaption>\n")
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
        if (hash >= 0) {
            term(html, "stored", uri.substring(uri.lastIndexOf('/') + 1));
        }
        html.append("</dl>\n</figcaption>\n</figure>\n");
    }

    private static void term(StringBuilder html, String name, String value) {
        html.append("<dt>").append(name).append("</dt><dd>").append(escape(value)).append("</dd>");
    }

    private static void appendDeadLetters(StringBuilder html, List<DeadLetter> examples, Map<String, Long> counts) {
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        html.append("<h2>Dead letters (").append(total).append(")</h2>\n");
        if (total == 0) {
            html.append("<p>None.</p>\n");
            return;
        }
        html.append("<table class=\"codes\">\n<thead><tr><th>error_code</th><th>count</th></tr></thead>\n<tbody>\n");
        new TreeMap<>(counts).forEach((code, n) -> html.append("<tr><td><a href=\"#dead-").append(escape(code))
                .append("\">").append(escape(code)).append("</a></td><td>").append(n).append("</td></tr>\n"));
        html.append("</tbody>\n</table>\n");
        Map<String, List<DeadLetter>> byCode = new TreeMap<>();
        examples.stream().sorted(SOURCE_ORDER)
                .forEach(d -> byCode.computeIfAbsent(d.errorCode().name(), c -> new ArrayList<>()).add(d));
        for (Map.Entry<String, List<DeadLetter>> e : byCode.entrySet()) {
            long n = counts.getOrDefault(e.getKey(), (long) e.getValue().size());
            html.append("<details open id=\"dead-").append(escape(e.getKey())).append("\"><summary>")
                    .append(escape(e.getKey())).append(" (").append(n).append(")</summary>\n");
            if (n > e.getValue().size()) {
                html.append("<p class=\"note\">Showing the first ").append(e.getValue().size()).append(" of ").append(n)
                        .append(" (by source); all are in dead-letter/.</p>\n");
            }
            html.append("<table class=\"dead-letters\">\n<thead><tr><th>source</th><th>request_id</th>"
                    + "<th>error_code</th><th>error_message</th></tr></thead>\n<tbody>\n");
            e.getValue().forEach(d -> html
                    .append("<tr><td>").append(escape(source(d))).append("</td><td>").append(escape(d.requestId()))
                    .append("</td><td>").append(escape(d.errorCode().name())).append("</td><td>")
                    .append(escape(d.errorMessage())).append("</td></tr>\n"));
            html.append("</tbody>\n</table>\n</details>\n");
        }
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
}
