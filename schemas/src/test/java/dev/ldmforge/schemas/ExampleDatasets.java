package dev.ldmforge.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Writes the quickstart datasets in {@code schemas/examples/}: {@code prompts.jsonl}, the same rows as
 * {@code prompts.parquet}, and {@code prompts-with-bad-rows.jsonl}. {@code ExampleDatasetsTest} fails when the
 * committed files differ from what this writes, and rewrites them with {@code -Dldmforge.examples.write=true}.
 */
final class ExampleDatasets {
    static final String PROMPTS_JSONL = "prompts.jsonl";
    static final String PROMPTS_PARQUET = "prompts.parquet";
    static final String BAD_ROWS_JSONL = "prompts-with-bad-rows.jsonl";

    /** One line of the bad-rows file and the error code it must get (null: a good row). */
    record Line(String json, ErrorCode expected) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private ExampleDatasets() {}

    /** Captions the built-in demo model draws (coloured shapes), with every request field the schema offers. */
    static List<Map<String, Object>> prompts() {
        return List.of(
                row("prompt", "a red circle on a blue background", "seed", 1),
                row("prompt", "a green square on a white background", "seed", 2),
                row("prompt", "a yellow triangle on a purple background", "seed", 3,
                        "negative_prompt", "blurry, low contrast"),
                row("prompt", "a blue square on a yellow background", "num_inference_steps", 20),
                row("prompt", "a white circle on a green background", "guidance_scale", 6.0),
                row("prompt", "a purple triangle on a white background", "num_images_per_prompt", 2),
                row("prompt", "a red square on a green background", "scheduler", "ddim"),
                row("prompt", "a green circle on a purple background", "scheduler", "euler-ancestral", "seed", 1234),
                row("prompt", "a yellow circle on a blue background", "request_id", "yellow-circle"),
                row("prompt", "a white triangle on a red background", "scheduler", "dpmpp-2m-karras",
                        "num_inference_steps", 25),
                row("prompt", "a blue triangle on a white background",
                        "metadata", Map.of("source", "quickstart", "category", "triangles")),
                row("prompt", "a purple square on a yellow background", "negative_prompt", "blurry",
                        "metadata", Map.of("source", "quickstart", "category", "squares")));
    }

    static List<Line> badRows() {
        return List.of(
                new Line(json(row("prompt", "a blue circle on a red background", "seed", 7)), null),
                new Line(json(row("prompt", "   ")), ErrorCode.BLANK_PROMPT),
                new Line(json(row("negative_prompt", "blurry")), ErrorCode.MISSING_FIELD),
                new Line(json(row("prompt", "a tall tower", "width", 513)), ErrorCode.INVALID_WIDTH),
                new Line(json(row("prompt", "a quiet harbour", "num_inference_steps", "fifty")), ErrorCode.WRONG_TYPE),
                new Line(json(row("prompt", "a forest path", "guidance_scale", 80)), ErrorCode.INVALID_GUIDANCE),
                new Line(json(row("prompt", "a desert road", "scheduler", "k_lms")), ErrorCode.UNKNOWN_SCHEDULER),
                new Line(json(row("prompt", "a paper boat", "strength", 0.6)), ErrorCode.INVALID_STRENGTH),
                new Line("{\"prompt\": \"a broken line, \"seed\": 3}", ErrorCode.MALFORMED_JSON),
                new Line(json(row("prompt", "a white cube on a grey floor")), null));
    }

    static String promptsJsonl() {
        return jsonl(prompts().stream().map(ExampleDatasets::json));
    }

    static String badRowsJsonl() {
        return jsonl(badRows().stream().map(Line::json));
    }

    /** The prompts as typed records, absent fields null (the Parquet file's rows). */
    static List<PromptRequest> promptRecords() {
        List<PromptRequest> records = new ArrayList<>();
        for (Map<String, Object> prompt : prompts()) {
            try {
                records.add(JsonCodec.read(json(prompt), PromptRequest.class));
            } catch (InvalidRecordException e) {
                throw new IllegalStateException(e);
            }
        }
        return records;
    }

    static void write(Path dir, SparkSession spark) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(PROMPTS_JSONL), promptsJsonl());
        Files.writeString(dir.resolve(BAD_ROWS_JSONL), badRowsJsonl());
        writeParquet(dir.resolve(PROMPTS_PARQUET), spark);
    }

    /** Spark writes a folder of part files; the example is the single part file. */
    private static void writeParquet(Path file, SparkSession spark) throws IOException {
        Path staging = Files.createTempDirectory("ldmforge-examples");
        List<Row> rows = promptRecords().stream().map(SparkRows::toRow).toList();
        spark.createDataFrame(rows, SparkSchemas.PROMPT_REQUEST).coalesce(1).write().mode("overwrite")
                .parquet(staging.resolve("out").toString());
        try (Stream<Path> parts = Files.list(staging.resolve("out"))) {
            Path part = parts.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
            Files.copy(part, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (Stream<Path> all = Files.walk(staging)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static Map<String, Object> row(Object... keyValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            Object value = keyValues[i + 1];
            row.put((String) keyValues[i], value instanceof Map<?, ?> map ? new TreeMap<>(map) : value);
        }
        return row;
    }

    private static String json(Map<String, Object> row) {
        try {
            return JSON.writeValueAsString(row);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String jsonl(Stream<String> lines) {
        return lines.reduce(new StringBuilder(), (b, line) -> b.append(line).append('\n'), StringBuilder::append)
                .toString();
    }

    /** Usage: {@code ExampleDatasets [dir]}, default {@code schemas/examples}. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "schemas/examples");
        write(dir, LocalSpark.session());
        LocalSpark.session().stop();
    }
}
