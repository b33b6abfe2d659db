package dev.ldmforge.jobs.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.jobs.images.Png;
import dev.ldmforge.runtime.demo.ShapeScene;
import dev.ldmforge.runtime.demo.ShapeScenes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "demo-data", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write the demo dataset: captioned pictures of coloured shapes on coloured backgrounds.",
            "DIR/prompts.jsonl holds one prompt request per picture (accepted by `generate --prompts`), with the "
                + "picture's file and scene in its metadata; DIR/images/<index>.png holds the picture, with its "
                + "caption as PNG text. The same --seed gives byte-identical files."},
        footer = {"", "Examples:",
            "  ./ldmforge demo-data --output demo-data",
            "  ./ldmforge demo-data --output demo-64 --count 5000 --seed 1 --size 64",
            "  ./ldmforge generate --prompts demo-data/prompts.jsonl --model demo --output demo-out"})
public final class DemoDataCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "folder to write")
    Path output;

    @Option(names = "--count", defaultValue = "1000", paramLabel = "N",
            description = "pictures to write (default: ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
            description = "dataset seed: picture i is scene (S, i) (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--size", defaultValue = "32", paramLabel = "PIXELS",
            description = "side of the square pictures (default: ${DEFAULT-VALUE})")
    int size;

    @Override
    public Integer call() {
        if (count < 1) {
            throw new CliErrors.UsageException("--count must be at least 1, got " + count);
        }
        if (size < 8) {
            throw new CliErrors.UsageException("--size must be at least 8 pixels, got " + size);
        }
        Path images = output.resolve("images");
        try {
            Files.createDirectories(images);
            try (BufferedWriter prompts = Files.newBufferedWriter(output.resolve("prompts.jsonl"),
                    StandardCharsets.UTF_8)) {
                for (int i = 0; i < count; i++) {
                    ShapeScene scene = ShapeScenes.scene(seed, i);
                    String file = i + ".png";
                    Files.write(images.resolve(file), Png.encode(scene.render(size), pictureText(scene, i)));
                    prompts.write(promptRequest(scene, i, "images/" + file));
                    prompts.write('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo dataset to " + output + ": " + e.getMessage(), e);
        }
        System.out.printf("wrote %d pictures (%dx%d, seed %d) and prompts.jsonl to %s%n", count, size, size, seed,
                output);
        return 0;
    }

    /** PNG text chunks, in a fixed order so the bytes are the same on every run. */
    private Map<String, String> pictureText(ShapeScene scene, int index) {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("prompt", scene.caption());
        text.put("dataset_seed", Long.toString(seed));
        text.put("index", Integer.toString(index));
        text.put("software", "ldmforge");
        return text;
    }

    /** A PromptRequest JSON line: the caption, a seed, and the picture and its scene as metadata. */
    private static String promptRequest(ShapeScene scene, int index, String image) throws JsonProcessingException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("image", image);
        metadata.put("shape", scene.shape().word());
        metadata.put("colour", scene.colour().word());
        metadata.put("background", scene.background().word());
        metadata.put("center_x", Double.toString(scene.centerX()));
        metadata.put("center_y", Double.toString(scene.centerY()));
        metadata.put("size", Double.toString(scene.size()));
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("request_id", "demo-" + index);
        request.put("prompt", scene.caption());
        request.put("seed", index);
        request.put("metadata", metadata);
        return JSON.writeValueAsString(request);
    }
}
