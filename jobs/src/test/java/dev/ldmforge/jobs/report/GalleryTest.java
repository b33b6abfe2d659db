package dev.ldmforge.jobs.report;

import dev.ldmforge.schemas.DeadLetter;
import dev.ldmforge.schemas.ErrorCode;
import dev.ldmforge.schemas.GeneratedImage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GalleryTest {
    private static final String ROOT = "s3://bucket/run-1";
    private static final String HOSTILE = "<script>alert(1)</script> & \"q\"";
    private static final String HOSTILE_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;";
    private static final Pattern IMG_SRC = Pattern.compile("<img src=\"([^\"]*)\"");

    @Test
    void everyStringFromTheDataIsEscaped() {
        List<GeneratedImage> images = List.of(image("r-a", 0, HOSTILE));
        List<DeadLetter> deadLetters = List.of(
                ReportRows.fileDeadLetter("in\"<b>.jsonl", 3, ErrorCode.BLANK_PROMPT, HOSTILE),
                ReportRows.kafkaDeadLetter("<i>topic</i>", 1, 2, ErrorCode.MALFORMED_JSON, "bad 'x' > y"));
        String html = Gallery.render(ReportRows.summary("<b>model</b>", List.of("ldmforge", "--x", "<a b>")),
                images, deadLetters, ROOT, Gallery.DEFAULT_LIMIT);

        assertEquals(1, html.toLowerCase().split("<script", -1).length - 1, "one script, the page's own filter");
        assertTrue(html.contains("<script id=\"" + Gallery.SCRIPT_ID + "\">"), html);
        assertTrue(html.contains("data-prompt=\"" + HOSTILE_ESCAPED + "\""), "filterable prompt, escaped");
        assertFalse(html.contains("<b>") || html.contains("<i>") || html.contains("<a b>"), html);
        assertTrue(html.contains("<p class=\"prompt\">" + HOSTILE_ESCAPED + "</p>"), "prompt as text");
        assertTrue(html.contains("alt=\"" + HOSTILE_ESCAPED + "\""), "prompt as attribute value");
        assertTrue(html.contains("<p class=\"negative-prompt\">blurry, &lt;low&gt; &amp; &#39;bad&#39;</p>"));
        assertTrue(html.contains("<td>" + HOSTILE_ESCAPED + "</td>"), "dead-letter message");
        assertTrue(html.contains("<td>in&quot;&lt;b&gt;.jsonl row 3</td>"), "dead-letter source file");
        assertTrue(html.contains("<td>&lt;i&gt;topic&lt;/i&gt; partition 1 offset 2</td>"), "dead-letter topic");
        assertTrue(html.contains("<title>LDM Forge: &lt;b&gt;model&lt;/b&gt;</title>"));
        assertTrue(html.contains("<code>ldmforge --x &#39;&lt;a b&gt;&#39;</code>"), "command, shell-quoted");
    }

    @Test
    void nonAsciiTextIsKeptAsIsInAUtf8Page() {
        String prompt = "赤い猫 — café 🐱";
        String html = Gallery.render(ReportRows.summary("m", List.of()), List.of(image("r-a", 0, prompt)), List.of(),
                ROOT, Gallery.DEFAULT_LIMIT);
        assertTrue(html.contains("<meta charset=\"utf-8\">"));
        assertTrue(html.contains("<p class=\"prompt\">" + prompt + "</p>"));
    }

    @Test
    void imagesAreSortedByRequestIdThenIndexAndLinkedRelativeToTheOutputRoot() {
        List<GeneratedImage> images = List.of(image("r-b", 0, "p"), image("r-a", 1, "p"), image("r-a", 10, "p"),
                image("r-a", 2, "p"), image("r-a", 0, "p"));
        String html = Gallery.render(ReportRows.summary("m", List.of()), images, List.of(), ROOT, 1000);
        assertEquals(List.of("images/r-a/0.png", "images/r-a/1.png", "images/r-a/2.png", "images/r-a/10.png",
                "images/r-b/0.png"), srcs(html));
        assertTrue(html.contains("<a href=\"images/r-a/0.png\">"));
        assertFalse(html.contains("left out"));
    }

    @Test
    void theGridIsADeterministicSampleAndDeadLettersAreGroupedByCodeWithCounts() {
        List<GeneratedImage> images = new ArrayList<>();
        for (int i = 9; i >= 0; i--) {
            images.add(image("r-" + i, 0, "p" + i));
        }
        List<String> expected = images.stream()
                .sorted(java.util.Comparator.comparing((GeneratedImage g) -> Gallery.sampleKey(g.requestId(), 0)))
                .limit(3).map(g -> "images/" + g.requestId() + "/0.png").sorted().toList();
        List<DeadLetter> deadLetters = new ArrayList<>(List.of(
                ReportRows.kafkaDeadLetter("prompts", 0, 5, ErrorCode.MALFORMED_JSON, "message 4"),
                ReportRows.fileDeadLetter("b.jsonl", 1, ErrorCode.WRONG_TYPE, "message 3"),
                ReportRows.fileDeadLetter("a.jsonl", 10, ErrorCode.WRONG_TYPE, "message 2"),
                ReportRows.fileDeadLetter("a.jsonl", 2, ErrorCode.WRONG_TYPE, "message 1")));
        for (int i = 0; i < Gallery.DEAD_LETTER_EXAMPLES + 5; i++) {
            deadLetters.add(ReportRows.fileDeadLetter("c.jsonl", i, ErrorCode.BLANK_PROMPT, "blank " + i));
        }
        String html = Gallery.render(ReportRows.summary("m", List.of()), images, deadLetters, ROOT, 3);
        assertEquals(expected, srcs(html), "the 3 smallest sha256(request_id/image_index), in request order");
        Collections.shuffle(images, new java.util.Random(7));
        assertEquals(html, Gallery.render(ReportRows.summary("m", List.of()), images, deadLetters, ROOT, 3),
                "the sample does not depend on the input order");
        assertTrue(html.contains("<h2>Images (10)</h2>"));
        assertTrue(html.contains("Showing 3 of 10 images: a deterministic sample"));
        assertTrue(html.contains("<h2>Dead letters (29)</h2>"));
        assertTrue(html.contains("<td><a href=\"#dead-BLANK_PROMPT\">BLANK_PROMPT</a></td><td>25</td>"));
        assertTrue(html.contains("<td><a href=\"#dead-WRONG_TYPE\">WRONG_TYPE</a></td><td>3</td>"));
        assertTrue(html.contains("Showing the first 20 of 25 (by source)"));
        assertTrue(html.contains("blank 19") && !html.contains("blank 20<"), "20 examples per code");
        int first = html.indexOf("message 1");
        int second = html.indexOf("message 2");
        int third = html.indexOf("message 3");
        assertTrue(0 < first && first < second && second < third, "by file, then row (numerically)");
        assertTrue(html.indexOf("<main>") < html.indexOf("<figure") && html.indexOf("<figure")
                < html.indexOf("<aside>"), "images first, the compact summary beside them");
    }

    @Test
    void shardMembersShowEmbeddedThumbnailsAndLinkToTheirShard() {
        GeneratedImage member = ReportRows.image(ROOT + "/shards/00002.tar#000020007.webp", "r-a", 0, "p", 8, 8);
        String html = Gallery.render(ReportRows.summary("m", List.of()), List.of(member), 1,
                java.util.Map.of("r-a/0", "gallery/r-a_0.jpg"), List.of(), java.util.Map.of(), ROOT);
        assertTrue(html.contains("<a href=\"shards/00002.tar\"><img src=\"gallery/r-a_0.jpg\""), html);
        assertTrue(html.contains("<dt>stored</dt><dd>00002.tar#000020007.webp</dd>"));
    }

    @Test
    void summaryShowsEveryFieldAndFlagsUnreconciledRuns() {
        String html = Gallery.render(ReportRows.summary("tiny-sd", List.of()), List.of(), List.of(), ROOT, 10);
        for (String field : ReportRows.summary("tiny-sd", List.of()).toJsonTree().properties().stream()
                .map(Map.Entry::getKey).toList()) {
            assertTrue(html.contains("<th>" + field + "</th>"), field);
        }
        assertTrue(html.contains("<th>reconciled</th><td class=\"ok\">true</td>"));
        assertTrue(html.contains("<li>BLANK_PROMPT: 2</li><li>WIDTH: 1</li>"));
        assertTrue(html.contains("<h2>Dead letters (0)</h2>\n<p>None.</p>"));
    }

    @Test
    void anImageOutsideTheOutputRootIsAnError() {
        GeneratedImage elsewhere = ReportRows.image("s3://other/images/x.png", "r-a", 0, "p", 8, 8);
        assertThrows(IllegalArgumentException.class, () -> Gallery.render(ReportRows.summary("m", List.of()),
                List.of(elsewhere), List.of(), ROOT, 10));
    }

    private static GeneratedImage image(String requestId, int index, String prompt) {
        return ReportRows.image(ROOT + "/images/" + requestId + "/" + index + ".png", requestId, index, prompt, 8, 8);
    }

    private static List<String> srcs(String html) {
        List<String> out = new ArrayList<>();
        Matcher m = IMG_SRC.matcher(html);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
