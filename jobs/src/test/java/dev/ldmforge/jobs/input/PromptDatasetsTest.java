package dev.ldmforge.jobs.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ldmforge.schemas.DeadLetter;
import dev.ldmforge.schemas.ErrorCode;
import dev.ldmforge.schemas.GenerationDefaults;
import dev.ldmforge.schemas.PromptRequest;
import dev.ldmforge.schemas.PromptValidator.UnknownFields;
import dev.ldmforge.schemas.SparkRows;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptDatasetsTest {
    private static final Path EXAMPLES = Path.of("../schemas/examples");
    /** Accepted, or the expected rejection code, per "file:row" (row "-" for an unreadable file). */
    private static final String OK = "OK";

    private static SparkSession spark;
    /** Whether this class started the session (another test class may have left one running for later classes). */
    private static boolean ownSession;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        ownSession = SparkSession.getDefaultSession().isEmpty();
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("ldmforge-prompt-datasets-tests")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", false)
                .config("spark.sql.shuffle.partitions", 2)
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        if (ownSession) {
            spark.stop();
        }
    }

    @Test
    void goodJsonLinesWithBlankLines() throws IOException {
        write("good.jsonl", """
                {"prompt":"a red circle","seed":1}
                {"prompt":"a green square","num_inference_steps":20,"metadata":{"k":"v"}}

                   \t
                {"prompt":"a yellow triangle","scheduler":"DDIM","width":768}
                """);
        Map<String, Row> rows = validate(dir.resolve("good.jsonl").toString(), UnknownFields.IGNORE,
                Map.of("good.jsonl:1", OK, "good.jsonl:2", OK, "good.jsonl:5", OK));
        PromptRequest square = request(rows.get("good.jsonl:2"));
        assertEquals(20, square.numInferenceSteps());
        assertEquals(Map.of("k", "v"), square.metadata());
        assertEquals("ddim", request(rows.get("good.jsonl:5")).scheduler());
        assertEquals("{\"prompt\":\"a red circle\",\"seed\":1}", rows.get("good.jsonl:1").getAs("original"));
        assertTrue(rows.get("good.jsonl:1").<String>getAs("source_file").startsWith("file:/"));
    }

    @Test
    void everyBadJsonRowIsRejectedWithItsLineAndCode() throws IOException {
        write("bad.jsonl", """
                {"prompt":"fine"}
                {"prompt":null}
                {"prompt":"  "}
                {"prompt":"p","num_inference_steps":-1}
                {"prompt":"p","num_inference_steps":100000000000000000000000}
                {"prompt":"p","width":100}
                {"prompt":"p","scheduler":"k_lms"}
                {"prompt":"p","num_images_per_prompt":1000}
                {"prompt":"p","num_inference_steps":"fifty"}
                {"prompt":"p","guidance_scale":[7]}
                {"prompt": "broken, "seed": 3}
                [1, 2]
                {"prompt":"p","widht":512,"request_id":"keep-me"}
                {"prompt":"p","width":100,"request_id":"known-id"}
                """);
        Map<String, String> expected = new LinkedHashMap<>();
        List.of(OK, "MISSING_FIELD", "BLANK_PROMPT", "INVALID_STEPS", "INVALID_STEPS", "INVALID_WIDTH",
                "UNKNOWN_SCHEDULER", "INVALID_NUM_IMAGES", "WRONG_TYPE", "WRONG_TYPE", "MALFORMED_JSON",
                "MALFORMED_JSON", "UNKNOWN_FIELD", "INVALID_WIDTH")
                .forEach(code -> expected.put("bad.jsonl:" + (expected.size() + 1), code));
        Map<String, Row> rows = validate(dir.resolve("bad.jsonl").toString(), UnknownFields.REJECT, expected);

        Row broken = rows.get("bad.jsonl:11");
        assertEquals("{\"prompt\": \"broken, \"seed\": 3}", broken.getAs("original"));
        assertEquals("keep-me", rows.get("bad.jsonl:13").getAs("request_id"));
        assertTrue(rows.get("bad.jsonl:13").<String>getAs("error_message").startsWith("widht: unknown field"));
        assertNull(rows.get("bad.jsonl:6").getAs("request_id"));

        Instant failedAt = Instant.parse("2026-11-28T09:00:00Z");
        DeadLetter letter = PromptDatasets.deadLetter(rows.get("bad.jsonl:14"), failedAt);
        assertEquals(new DeadLetter("known-id", ErrorCode.INVALID_WIDTH, "width: 100 is not a multiple of 8 in 32..2048",
                "{\"prompt\":\"p\",\"width\":100,\"request_id\":\"known-id\"}", null,
                rows.get("bad.jsonl:14").getAs("source_file"), 14L, null, null, null, failedAt), letter);
        Dataset<Row> validated = PromptDatasets.validate(PromptDatasets.read(spark, dir.toString()),
                GenerationDefaults.DIFFUSERS, UnknownFields.REJECT);
        List<DeadLetter> letters = PromptDatasets.deadLetters(validated, failedAt).collectAsList().stream()
                .map(r -> SparkRows.fromRow(r, DeadLetter.class)).toList();
        assertEquals(13, letters.size());
        assertTrue(letters.contains(letter));
    }

    @Test
    void invalidUtf8SpoilsOnlyItsLine() throws IOException {
        byte[] good = "{\"prompt\":\"ok\"}\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = "{\"prompt\":\"caf\u00e9\"}\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] filler = "{\"prompt\":\"filler\"}\n".repeat(4000).getBytes(StandardCharsets.UTF_8); // past the check
        Files.write(dir.resolve("latin1.jsonl"), concat(good, filler, bad));
        Map<String, String> expected = new LinkedHashMap<>();
        IntStream.rangeClosed(1, 4001).forEach(i -> expected.put("latin1.jsonl:" + i, OK));
        expected.put("latin1.jsonl:4002", "MALFORMED_JSON");
        validate(dir.toString(), UnknownFields.IGNORE, expected);
    }

    @Test
    void csvWithQuotedCommasAndNewlinesAndBadRows() throws IOException {
        write("prompts.csv", """
                prompt,num_inference_steps,width,notes
                a plain prompt,20,512,first
                "a prompt, with a comma ""and quotes""
                spanning two lines",30,,second
                bad steps,fifty,512,third
                narrow,20,100,fourth
                too,many,cells,here,really
                too few,20

                ,20,512,blank prompt
                last one,1e1,5.12e2,
                """);
        Map<String, Row> rows = validate(dir.toString(), UnknownFields.IGNORE, Map.of(
                "prompts.csv:1", OK, "prompts.csv:2", OK, "prompts.csv:3", "WRONG_TYPE",
                "prompts.csv:4", "INVALID_WIDTH", "prompts.csv:5", "MALFORMED_CSV", "prompts.csv:6", "MALFORMED_CSV",
                "prompts.csv:7", "MISSING_FIELD", "prompts.csv:8", OK));
        PromptRequest quoted = request(rows.get("prompts.csv:2"));
        assertEquals("a prompt, with a comma \"and quotes\"\nspanning two lines", quoted.prompt());
        assertEquals(30, quoted.numInferenceSteps());
        assertEquals(512, quoted.width()); // empty cell: the default
        assertEquals(10, request(rows.get("prompts.csv:8")).numInferenceSteps());
        assertEquals("{\"prompt\":\"a plain prompt\",\"num_inference_steps\":\"20\",\"width\":\"512\",\"notes\":\"first\"}",
                rows.get("prompts.csv:1").getAs("original"));
        assertTrue(rows.get("prompts.csv:5").<String>getAs("original").startsWith("too,many,cells"));
    }

    @Test
    void csvFilesWithDifferentHeadersAHeaderOnlyFileAndAnUnclosedQuote() throws IOException {
        write("a.csv", "prompt,width\nfirst,512\n");
        write("b.csv", "width,prompt\n640,second\n");
        write("header-only.csv", "prompt,width\n");
        write("unclosed.csv", "prompt,width\nok,512\n\"never closed,512\nmore,512\n");
        Map<String, Row> rows = validate(dir.toString(), UnknownFields.IGNORE, Map.of("a.csv:1", OK, "b.csv:1", OK,
                "unclosed.csv:1", OK, "unclosed.csv:2", "MALFORMED_CSV"));
        assertEquals("second", request(rows.get("b.csv:1")).prompt());
        assertEquals(640, request(rows.get("b.csv:1")).width());
    }

    @Test
    void parquetFileAndFolder() {
        Dataset<Row> prompts = spark.createDataFrame(List.of(
                RowFactory.create("one", 20), RowFactory.create("two", null), RowFactory.create("  ", 20),
                RowFactory.create("four", 0)), new StructType()
                .add("prompt", DataTypes.StringType).add("num_inference_steps", DataTypes.IntegerType));
        prompts.coalesce(1).write().parquet(dir.resolve("single").toString());
        Map<String, Row> rows = validate(partFile(dir.resolve("single")).toString(), UnknownFields.IGNORE,
                Map.of("single:1", OK, "single:2", OK, "single:3", "BLANK_PROMPT", "single:4", "INVALID_STEPS"));
        assertEquals("{\"prompt\":\"two\",\"num_inference_steps\":null}", rows.get("single:2").getAs("original"));

        prompts.repartition(2).write().parquet(dir.resolve("folder").toString());
        Dataset<Row> records = PromptDatasets.read(spark, dir.resolve("folder").toString());
        assertEquals(4, records.count());
        assertReconciles(records, UnknownFields.IGNORE);
    }

    @Test
    void parquetFilesWithDifferentSchemasAndACorruptOne() throws IOException {
        writeParquet("good", new StructType().add("prompt", DataTypes.StringType)
                .add("num_inference_steps", DataTypes.IntegerType), RowFactory.create("good", 20));
        writeParquet("steps-as-string", new StructType().add("prompt", DataTypes.StringType)
                .add("num_inference_steps", DataTypes.StringType),
                RowFactory.create("exact", "30"), RowFactory.create("words", "fifty"));
        writeParquet("no-prompt", new StructType().add("num_inference_steps", DataTypes.LongType),
                RowFactory.create(20L));
        writeParquet("extra", new StructType().add("prompt", DataTypes.StringType)
                .add("notes", DataTypes.StringType).add("width", DataTypes.DoubleType),
                RowFactory.create("extra", "a note", 512.0));
        writeParquet("empty", new StructType().add("prompt", DataTypes.StringType));
        Files.write(dir.resolve("corrupt.parquet"), "PAR1 not really parquet PAR1".getBytes(StandardCharsets.UTF_8));

        Map<String, String> expected = Map.of("good:1", OK, "steps-as-string:1", OK,
                "steps-as-string:2", "WRONG_TYPE", "no-prompt:1", "MISSING_FIELD", "extra:1", OK,
                "corrupt.parquet:-", "UNREADABLE_FILE");
        Map<String, Row> rows = validate(dir.toString(), UnknownFields.IGNORE, expected);
        assertEquals(30, request(rows.get("steps-as-string:1")).numInferenceSteps());
        assertNull(rows.get("corrupt.parquet:-").getAs("original"));
        assertTrue(rows.get("corrupt.parquet:-").<String>getAs("error_message").contains("corrupt.parquet"));
        DeadLetter corrupt = PromptDatasets.deadLetter(rows.get("corrupt.parquet:-"), Instant.EPOCH);
        assertEquals(ErrorCode.UNREADABLE_FILE, corrupt.errorCode());
        assertNull(corrupt.sourceRow());
        assertTrue(corrupt.sourceFile().endsWith("/corrupt.parquet"), corrupt.sourceFile());

        Map<String, String> strict = new LinkedHashMap<>(expected);
        strict.put("extra:1", "UNKNOWN_FIELD");
        validate(dir.toString(), UnknownFields.REJECT, strict);
    }

    @Test
    void parquetColumnsOfEveryKindLoad() {
        Dataset<Row> rows = spark.sql("""
                SELECT 'a kettle' AS prompt, CAST(7.5 AS DECIMAL(10, 2)) AS guidance_scale,
                       CAST(512 AS SMALLINT) AS width, CAST(7.1 AS FLOAT) AS strength_f,
                       X'00FF' AS image, DATE'2026-11-28' AS day, TIMESTAMP'2026-11-28 09:00:00' AS at,
                       array(1, 2) AS list, named_struct('a', 1, 'b', 'x') AS nested,
                       map('source', 'test') AS metadata, true AS flag
                """);
        rows.coalesce(1).write().parquet(dir.resolve("kinds").toString());
        Map<String, Row> validated = validate(dir.toString(), UnknownFields.IGNORE, Map.of("kinds:1", OK));
        PromptRequest kettle = request(validated.get("kinds:1"));
        assertEquals(7.5, kettle.guidanceScale());
        assertEquals(512, kettle.width());
        assertEquals(Map.of("source", "test"), kettle.metadata());
    }

    @Test
    void emptyAndUnreadableTextFilesDoNotStopTheOthers() throws IOException {
        write("empty.jsonl", "");
        write("blank.jsonl", "\n\n  \n");
        Files.write(dir.resolve("binary.jsonl"), new byte[] {'{', 0, 1, 2, (byte) 0xff, '\n', 3});
        Files.write(dir.resolve("latin1.jsonl"), new byte[] {'{', '"', 'p', (byte) 0xe9, '"', '}', '\n'});
        write("nested/good.jsonl", "{\"prompt\":\"deep\"}\n");
        write("good prompts.jsonl", "{\"prompt\":\"spaced\"}\n");
        Files.write(dir.resolve("binary data.jsonl"), new byte[] {0});
        write("_SUCCESS", "");
        write(".hidden.crc", "whatever");
        Map<String, Row> rows = validate(dir.toString(), UnknownFields.IGNORE, Map.of(
                "binary.jsonl:-", "UNREADABLE_FILE", "latin1.jsonl:-", "UNREADABLE_FILE", "good.jsonl:1", OK,
                "binary data.jsonl:-", "UNREADABLE_FILE", "good prompts.jsonl:1", OK));
        assertTrue(rows.get("binary.jsonl:-").<String>getAs("error_message").contains("NUL byte at offset 1"));
        assertTrue(rows.get("latin1.jsonl:-").<String>getAs("error_message").contains("not UTF-8"));
        // Spark's file paths and the checked files' are written alike.
        String spark = rows.get("good prompts.jsonl:1").getAs("source_file");
        assertTrue(spark.startsWith("file:/") && spark.endsWith("/good%20prompts.jsonl"), spark);
        assertEquals(spark.replace("good%20prompts", "binary%20data"), rows.get("binary data.jsonl:-").getAs("source_file"));
    }

    @Test
    void byteOrderMarksAreNotData() throws IOException {
        write("bom.jsonl", "\uFEFF{\"prompt\":\"first\"}\n{\"prompt\":\"second\"}\n");
        write("bom.csv", "\uFEFFprompt,width\r\nfirst,512\r\n");
        validate(dir.resolve("bom.jsonl").toString(), UnknownFields.REJECT, Map.of("bom.jsonl:1", OK, "bom.jsonl:2", OK));
        Map<String, Row> rows = validate(dir.resolve("bom.csv").toString(), UnknownFields.REJECT, Map.of("bom.csv:1", OK));
        assertEquals("{\"prompt\":\"first\",\"width\":\"512\"}", rows.get("bom.csv:1").getAs("original"));
    }

    @Test
    void lineNumbersHoldAcrossSplits() throws IOException {
        String lines = IntStream.rangeClosed(1, 300)
                .mapToObj(i -> i % 7 == 0 ? "" : "{\"prompt\":\"line " + i + "\"}")
                .collect(Collectors.joining("\n", "", "\n"));
        write("a.jsonl", lines);
        write("b.jsonl", lines);
        spark.conf().set("spark.sql.files.maxPartitionBytes", "512");
        spark.conf().set("spark.sql.files.openCostInBytes", "0");
        try {
            assertTrue(spark.read().text(dir.toString()).rdd().getNumPartitions() > 10);
            List<Row> records = PromptDatasets.read(spark, dir.toString()).collectAsList();
            assertEquals(2 * (300 - 300 / 7), records.size());
            for (Row r : records) {
                assertEquals("{\"prompt\":\"line " + r.getAs("source_row") + "\"}", r.getAs("original"));
            }
        } finally {
            spark.conf().unset("spark.sql.files.maxPartitionBytes");
            spark.conf().unset("spark.sql.files.openCostInBytes");
        }
    }

    @Test
    void locationErrorsAreSystemic() throws IOException {
        String missing = dir.resolve("nope").toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PromptDatasets.read(spark, missing));
        assertTrue(e.getMessage().contains(missing), e.getMessage());

        write("mixed/a.csv", "prompt\nx\n");
        write("mixed/b.jsonl", "{\"prompt\":\"x\"}\n");
        e = assertThrows(IllegalArgumentException.class,
                () -> PromptDatasets.read(spark, dir.resolve("mixed").toString()));
        assertTrue(e.getMessage().contains("a.csv") && e.getMessage().contains("b.jsonl"), e.getMessage());

        write("prompts.txt", "{\"prompt\":\"x\"}\n");
        e = assertThrows(IllegalArgumentException.class,
                () -> PromptDatasets.read(spark, dir.resolve("prompts.txt").toString()));
        assertTrue(e.getMessage().contains("prompts.txt"), e.getMessage());
        assertEquals(1, PromptDatasets.read(spark, dir.resolve("prompts.txt").toString(),
                PromptFormat.named("jsonl")).count());

        Files.createDirectory(dir.resolve("no-files"));
        assertEquals(0, PromptDatasets.read(spark, dir.resolve("no-files").toString()).count());
        assertEquals("s3a://bucket/prompts/", InputFiles.hadoopLocation("s3://bucket/prompts/"));
    }

    @Test
    void committedExamplesLoad() {
        validate(EXAMPLES.resolve("prompts.jsonl").toString(), UnknownFields.REJECT, expectAllOk("prompts.jsonl", 12));
        validate(EXAMPLES.resolve("prompts.parquet").toString(), UnknownFields.REJECT,
                expectAllOk("prompts.parquet", 12));
        Map<String, String> expected = new LinkedHashMap<>();
        List.of(OK, "BLANK_PROMPT", "MISSING_FIELD", "INVALID_WIDTH", "WRONG_TYPE", "INVALID_GUIDANCE",
                "UNKNOWN_SCHEDULER", "INVALID_STRENGTH", "MALFORMED_JSON", OK)
                .forEach(code -> expected.put("prompts-with-bad-rows.jsonl:" + (expected.size() + 1), code));
        validate(EXAMPLES.resolve("prompts-with-bad-rows.jsonl").toString(), UnknownFields.REJECT, expected);
    }

    /**
     * Reads and validates a location, checks that every record appears exactly once with the expected outcome
     * (keys "file-name:row", where the name is the file's or, for Spark's part files, its folder's; "-" for no row)
     * and that accepted + rejected == records. Returns the validated rows by key.
     */
    private static Map<String, Row> validate(String location, UnknownFields policy, Map<String, String> expected) {
        Dataset<Row> records = PromptDatasets.read(spark, location);
        assertReconciles(records, policy);
        Dataset<Row> validated = PromptDatasets.validate(records, GenerationDefaults.DIFFUSERS, policy);
        Map<String, Row> byKey = new LinkedHashMap<>();
        for (Row row : validated.collectAsList()) {
            Row previous = byKey.put(key(row), row);
            assertNull(previous, () -> "twice: " + key(row));
        }
        Map<String, String> outcomes = byKey.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> e.getValue().getAs("request") != null ? OK : e.getValue().getAs("error_code")));
        assertEquals(new TreeMap<>(expected), new TreeMap<>(outcomes));
        byKey.values().stream().filter(r -> r.getAs("request") == null)
                .forEach(r -> assertNotNull(r.getAs("error_message")));
        return byKey;
    }

    private static void assertReconciles(Dataset<Row> records, UnknownFields policy) {
        Dataset<Row> validated = PromptDatasets.validate(records, GenerationDefaults.DIFFUSERS, policy);
        assertEquals(records.count(),
                PromptDatasets.accepted(validated).count() + PromptDatasets.rejected(validated).count());
    }

    private static String key(Row row) {
        String[] parts = URI.create(row.getAs("source_file")).getPath().split("/");
        String name = parts[parts.length - 1].startsWith("part-") ? parts[parts.length - 2] : parts[parts.length - 1];
        Object sourceRow = row.getAs("source_row");
        return name + ":" + (sourceRow == null ? "-" : sourceRow);
    }

    private static PromptRequest request(Row validated) {
        return SparkRows.fromRow(validated.getAs("request"), PromptRequest.class);
    }

    private static Map<String, String> expectAllOk(String name, int rows) {
        return IntStream.rangeClosed(1, rows).boxed().collect(Collectors.toMap(i -> name + ":" + i, i -> OK));
    }

    private void writeParquet(String name, StructType schema, Row... rows) {
        spark.createDataFrame(List.of(rows), schema).coalesce(1).write().parquet(dir.resolve(name).toString());
    }

    private static Path partFile(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }
}
