package dev.ldmforge.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ldmforge.jobs.images.Png;
import dev.ldmforge.jobs.storage.LocalObjectStore;
import dev.ldmforge.schemas.DeadLetter;
import dev.ldmforge.schemas.ErrorCode;
import dev.ldmforge.schemas.GeneratedImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opens a real output folder's index.html in headless Chromium: every thumbnail loads and every prompt is text. The
 * page has no scripts, so the test loads a copy with a probe script injected that writes what the browser sees into
 * the DOM; a deliberately missing image proves the probe notices broken images.
 */
class GalleryBrowserTest {
    private static final String HOSTILE = "<script>alert(1)</script> & \"q\" <img src=x onerror=alert(2)>";
    @TempDir
    Path dir;

    @Test
    void everyThumbnailLoadsAndEveryPromptIsText() throws Exception {
        Path output = Files.createDirectories(dir.resolve("out"));
        List<GeneratedImage> rows = new ArrayList<>();
        try (LocalObjectStore store = new LocalObjectStore(output)) {
            rows.add(stored(store, "images/3f/r-b_0.png", "r-b", 0, "a red circle on a blue background", 16, 8));
            rows.add(stored(store, "images/3f/r-a_1.png", "r-a", 1, HOSTILE, 8, 8));
            rows.add(stored(store, "images/a0/r-a_0.png", "r-a", 0, "赤い猫 — café «naïve» 🐱", 24, 16));
        }
        List<DeadLetter> deadLetters = List.of(
                ReportRows.fileDeadLetter("prompts.jsonl", 4, ErrorCode.BLANK_PROMPT, HOSTILE),
                ReportRows.kafkaDeadLetter("prompts", 0, 17, ErrorCode.MALFORMED_JSON, "record: not JSON"));
        String html = Gallery.render(ReportRows.summary("tiny-sd", List.of("ldmforge", "generate")), rows,
                deadLetters, output.toString(), Gallery.DEFAULT_LIMIT);
        Files.writeString(output.resolve("index.html"), html, StandardCharsets.UTF_8);
        assertEquals(1, html.split("<script", -1).length - 1, "the page's only script is its filter");

        JsonNode result = GalleryProbe.run(output.resolve("index.html"), dir,
                "<img src=\"images/00/missing.png\" width=\"8\" height=\"8\" alt=\"control\">");

        List<String> loaded = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        for (JsonNode image : result.get("images")) {
            (image.get(1).asInt() > 0 ? loaded : broken).add(image.get(0).asText() + " " + image.get(1).asInt());
        }
        assertEquals(List.of("images/a0/r-a_0.png 24", "images/3f/r-a_1.png 8", "images/3f/r-b_0.png 16"),
                loaded, "every thumbnail loads, at its PNG's width, in request_id/image_index order");
        assertEquals(List.of("images/00/missing.png 0"), broken, "the probe sees a missing image as broken");
        assertEquals(List.of("赤い猫 — café «naïve» 🐱", HOSTILE, "a red circle on a blue background"),
                texts(result.get("prompts")), "prompts are shown as text, exactly");
        assertEquals(List.of(HOSTILE, "record: not JSON"), texts(result.get("errors")),
                "dead-letter messages are shown as text");
        assertEquals(1, result.get("scripts").asInt(), "no script but the probe: nothing in the data became markup");
        assertEquals(0, result.get("dialogs").size(), "no script from the data ran: " + result.get("dialogs"));
        assertEquals(3, result.get("visible").size(), "no filter: every image shown");
    }

    @Test
    void theFiltersHideImagesByStatusAndPromptText() throws Exception {
        Path output = Files.createDirectories(dir.resolve("out"));
        List<GeneratedImage> rows = new ArrayList<>();
        try (LocalObjectStore store = new LocalObjectStore(output)) {
            rows.add(stored(store, "images/01/r-1_0.png", "r-1", 0, "a red cat", 8, 8));
            rows.add(stored(store, "images/02/r-2_0.png", "r-2", 0, "a blue CAT", 8, 8));
            rows.add(stored(store, "images/03/r-3_0.png", "r-3", 0, "a red dog", 8, 8));
        }
        String html = Gallery.render(ReportRows.summary("tiny-sd", List.of("ldmforge", "generate")), rows,
                List.of(), output.toString(), Gallery.DEFAULT_LIMIT);
        Files.writeString(output.resolve("index.html"), html, StandardCharsets.UTF_8);
        JsonNode byText = GalleryProbe.run(output.resolve("index.html"), dir,
                "<i id=\"probe-filter\" data-status=\"\" data-prompt=\"cat\"></i>");
        assertEquals(List.of("a red cat", "a blue CAT"), texts(byText.get("visible")), "case-insensitive text filter");
        assertEquals("2 of 3 shown", byText.get("filterCount").asText());
        JsonNode byStatus = GalleryProbe.run(output.resolve("index.html"), dir,
                "<i id=\"probe-filter\" data-status=\"EXISTING\" data-prompt=\"\"></i>");
        assertEquals(0, byStatus.get("visible").size(), "every image here is GENERATED: " + byStatus);
    }

    private static GeneratedImage stored(LocalObjectStore store, String key, String requestId, int index,
                                         String prompt, int width, int height) {
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 7 + index * 50);
        }
        String uri = store.putIfAbsent(key, Png.encode(width, height, rgb, Map.of("prompt", prompt)), "image/png")
                .uri();
        return ReportRows.image(uri, requestId, index, prompt, width, height);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.asText()));
        return out;
    }
}
