package dev.ldmforge.jobs.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.jobs.cli.LdmForgeCli;
import dev.ldmforge.jobs.images.Jpeg;
import dev.ldmforge.jobs.images.Webp;
import dev.ldmforge.jobs.images.Xmp;
import dev.ldmforge.jobs.report.GalleryProbe;
import dev.ldmforge.jobs.storage.Sha256;
import dev.ldmforge.jobs.testing.LocalSpark;
import dev.ldmforge.schemas.GeneratedImage;
import dev.ldmforge.schemas.JsonCodec;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14 end to end with the tiny model in Spark local mode ({@code local[2,3]}: failed tasks retry): WebDataset
 * shards read back with Apache Commons Compress and GNU tar, Parquet images read back with Spark and DuckDB, JPEG
 * and WebP with their parameters, exactly-once under the fault injection the files format uses, and reruns.
 */
class OutputFormatsJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** schemas/examples/prompts.jsonl: 12 prompts, one of them asking for 2 images. */
    private static final int EXAMPLE_IMAGES = 13;
    private static final String PROMPTS = "../schemas/examples/prompts.jsonl";
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start("local[2,3]", "OutputFormatsJobTest");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static int generate(Path out, String... args) {
        List<String> all = new ArrayList<>(List.of("generate", "--model", "tiny", "--steps", "2", "--partitions", "2",
                "--prompts", PROMPTS, "--output", out.toString()));
        all.addAll(List.of(args));
        return LdmForgeCli.commandLine().execute(all.toArray(String[]::new));
    }

    private static JsonNode summary(Path out) throws IOException {
        return JSON.readTree(out.resolve("_SUMMARY.json").toFile());
    }

    /** One sample of a tar: its members by extension. */
    private record Sample(String key, Map<String, byte[]> members) {
    }

    /** Every member of every shard, opened with Apache Commons Compress and grouped by key. */
    private static Map<String, Sample> samples(Path tar) throws IOException {
        Map<String, Sample> samples = new TreeMap<>();
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
                assertTrue(e.isFile(), e.getName());
                int dot = e.getName().indexOf('.');
                String key = e.getName().substring(0, dot);
                samples.computeIfAbsent(key, k -> new Sample(k, new TreeMap<>()))
                        .members().put(e.getName().substring(dot + 1), t.readAllBytes());
            }
        }
        return samples;
    }

    /** GNU tar's listing (tar -tvf): member names. */
    private static List<String> gnuTarList(Path tar) throws Exception {
        Process p = new ProcessBuilder("tar", "-tf", tar.toString()).redirectErrorStream(true).start();
        String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), listing);
        return listing.lines().toList();
    }

    private static List<Path> shardFiles(Path out, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(out.resolve("shards"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static BufferedImage decode(byte[] image) throws IOException {
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(image));
        assertNotNull(decoded, "decodes");
        return decoded;
    }

    /** Checks every shard and returns all samples' records, asserting each sample is complete and consistent. */
    private static List<GeneratedImage> checkShards(Path out, int shards, String ext) throws Exception {
        List<Path> tars = shardFiles(out, ".tar");
        assertEquals(shards, tars.size(), "shards " + tars);
        try (Stream<Path> all = Files.list(out.resolve("shards"))) {
            assertEquals(3 * shards, all.count(), "only .tar, .parquet and _stats.json in shards/");
        }
        List<GeneratedImage> records = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int s = 0; s < tars.size(); s++) {
            Path tar = tars.get(s);
            assertEquals(String.format("%05d.tar", s), tar.getFileName().toString());
            Map<String, Sample> samples = samples(tar);
            List<String> gnu = gnuTarList(tar);
            assertEquals(samples.size() * 3, gnu.size(), "GNU tar lists the same members: " + gnu);
            for (Sample sample : samples.values()) {
                assertTrue(sample.key().startsWith(String.format("%05d", s)), sample.key());
                assertEquals(Set.of(ext, "txt", "json"), sample.members().keySet(), "complete sample " + sample.key());
                assertTrue(gnu.contains(sample.key() + "." + ext));
                GeneratedImage g = JsonCodec.read(new String(sample.members().get("json"), StandardCharsets.UTF_8),
                        GeneratedImage.class);
                byte[] image = sample.members().get(ext);
                assertEquals(Sha256.hex(image), g.sha256(), "sha256 is of the stored bytes");
                assertEquals(g.prompt(), new String(sample.members().get("txt"), StandardCharsets.UTF_8));
                assertTrue(g.imageUri().endsWith("shards/" + tar.getFileName() + "#" + sample.key() + "." + ext),
                        g.imageUri());
                assertEquals(g.width(), decode(image).getWidth());
                assertTrue(ids.add(g.requestId() + "/" + g.imageIndex()), "each image once: " + g.requestId());
                records.add(g);
            }
            JsonNode stats = JSON.readTree(out.resolve(String.format("shards/%05d_stats.json", s)).toFile());
            assertEquals(samples.size(), stats.get("successes").asInt());
            assertEquals(stats.get("count").asInt(), stats.get("successes").asInt() + stats.get("failed_to_generate")
                    .asInt());
        }
        return records;
    }

    @Test
    void webdatasetWebpShardsAreCompleteSamplesAndARerunSkipsThem() throws Exception {
        Path out = dir.resolve("wds");
        assertEquals(0, generate(out, "--output-format", "webdataset", "--image-format", "webp",
                "--samples-per-shard", "5", "--gallery-max-images", "4"));
        JsonNode s = summary(out);
        assertEquals(EXAMPLE_IMAGES, s.get("generated").asLong());
        assertTrue(s.get("reconciled").asBoolean());
        List<GeneratedImage> records = checkShards(out, 3, "webp");
        assertEquals(EXAMPLE_IMAGES, records.size());
        Map<String, String> xmp = firstImageXmp(out, "webp");
        assertTrue(xmp.containsKey("prompt") && xmp.containsKey("seed") && xmp.containsKey("num_inference_steps"),
                xmp.toString());
        assertEquals(List.of(5L, 5L, 3L), List.of(shardParquetRows(out, 0), shardParquetRows(out, 1),
                shardParquetRows(out, 2)), "each shard's metadata beside its tar");
        assertEquals(EXAMPLE_IMAGES, spark.read().parquet(out + "/metadata").count());
        assertTrue(!Files.exists(out.resolve("images")), "no loose image objects");

        Map<Path, byte[]> before = new HashMap<>();
        for (Path tar : shardFiles(out, ".tar")) {
            before.put(tar, Files.readAllBytes(tar));
        }
        checkGallery(out, 4, 13);
        assertEquals(0, generate(out, "--output-format", "webdataset", "--image-format", "webp",
                "--samples-per-shard", "5", "--gallery-max-images", "4"));
        checkGallery(out, 4, 13);
        JsonNode again = summary(out);
        assertEquals(0, again.get("generated").asLong());
        assertEquals(EXAMPLE_IMAGES, again.get("skipped_existing").asLong());
        assertTrue(again.get("reconciled").asBoolean());
        for (Path tar : shardFiles(out, ".tar")) {
            assertArrayEquals(before.get(tar), Files.readAllBytes(tar), "complete shards are not rewritten");
        }
        assertEquals(EXAMPLE_IMAGES, spark.read().parquet(out + "/metadata").count());
    }

    /** The page in headless Chromium: the sample's thumbnails all load, links go into the shards. */
    private void checkGallery(Path out, int shown, int total) throws Exception {
        String html = Files.readString(out.resolve("index.html"));
        assertTrue(html.contains("Showing " + shown + " of " + total + " images"), "sample noted");
        assertTrue(html.contains("<a href=\"shards/0000"), "links into the shards");
        JsonNode page = GalleryProbe.run(out.resolve("index.html"), dir, "");
        assertEquals(shown, page.get("images").size(), page.toString());
        page.get("images").forEach(img -> assertTrue(img.get(1).asInt() > 0, "thumbnail loads: " + img));
        assertEquals(1, page.get("scripts").asInt(), "only the probe's script besides the page's filter");
    }

    private static Map<String, String> firstImageXmp(Path out, String ext) throws IOException {
        Sample first = samples(shardFiles(out, ".tar").get(0)).values().iterator().next();
        byte[] image = first.members().get(ext);
        return Xmp.read(ext.equals("webp") ? Webp.xmp(image).orElseThrow() : Jpeg.xmp(image).orElseThrow());
    }

    private static long shardParquetRows(Path out, int shard) {
        return spark.read().parquet(out.resolve(String.format("shards/%05d.parquet", shard)).toString()).count();
    }

    @Test
    void webdatasetShardsAreWrittenExactlyOnceWhenTheFirstAttemptFailsAfterPuttingThem() throws Exception {
        Path out = dir.resolve("wds-fault");
        assertEquals(0, generate(out, "--output-format", "webdataset", "--image-format", "jpeg",
                "--samples-per-shard", "4", "--fail-first-attempt"));
        List<GeneratedImage> records = checkShards(out, 4, "jpg");
        assertEquals(EXAMPLE_IMAGES, records.size());
        Dataset<Row> metadata = spark.read().parquet(out + "/metadata");
        assertEquals(EXAMPLE_IMAGES, metadata.count());
        assertEquals(EXAMPLE_IMAGES, metadata.select("request_id", "image_index").distinct().count());
        assertEquals(EXAMPLE_IMAGES, metadata.filter("status = 'EXISTING'").count(),
                "the retries found their shards stored and read the records back");
        assertTrue(summary(out).get("reconciled").asBoolean());
        assertTrue(firstImageXmp(out, "jpg").containsKey("num_inference_steps"));
    }

    @Test
    void parquetRowsHoldTheImagesExactlyOnceReadBySparkAndDuckDb() throws Exception {
        Path out = dir.resolve("pq");
        assertEquals(0, generate(out, "--output-format", "parquet", "--image-format", "jpeg", "--image-quality",
                "80", "--fail-first-attempt"));
        JsonNode s = summary(out);
        assertTrue(s.get("reconciled").asBoolean());
        JsonNode defaults = s.get("config").get("defaults");
        assertTrue(defaults.isObject(), "config.defaults is JSON: " + defaults);
        assertEquals(2, defaults.get("num_inference_steps").asInt());
        assertEquals(7.5, defaults.get("guidance_scale").asDouble());

        Dataset<Row> rows = spark.read().parquet(out + "/metadata");
        assertEquals("struct<bytes:binary,path:string>", rows.schema().apply("image").dataType().simpleString());
        assertEquals(EXAMPLE_IMAGES, rows.count());
        assertEquals(EXAMPLE_IMAGES, rows.select("request_id", "image_index").distinct().count(), "exactly once");
        assertTrue(rows.filter("task_attempt > 0").count() > 0, "rows come from the retried attempts");
        for (Row r : rows.select("image.bytes", "image.path", "sha256", "request_id", "image_index", "width")
                .collectAsList()) {
            byte[] jpeg = r.getAs(0);
            assertEquals(r.getString(3) + "_" + r.getInt(4) + ".jpg", r.getString(1));
            assertEquals(Sha256.hex(jpeg), r.getString(2));
            assertEquals(r.getInt(5), decode(jpeg).getWidth());
            assertEquals(r.getString(3), Xmp.read(Jpeg.xmp(jpeg).orElseThrow()).get("request_id"));
        }
        assertTrue(!Files.exists(out.resolve("images")), "no loose image objects");
        try (Stream<Path> thumbs = Files.list(out.resolve("gallery"))) {
            assertEquals(EXAMPLE_IMAGES, thumbs.count(), "one thumbnail per gallery image (13 < 500)");
        }

        String files = out.resolve("metadata").toString() + "/*.parquet";
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
             Statement st = duck.createStatement()) {
            int decoded = 0;
            try (ResultSet rs = st.executeQuery("SELECT image.bytes, image.path, sha256 FROM read_parquet('"
                    + files + "') ORDER BY image.path")) {
                while (rs.next()) {
                    byte[] jpeg = rs.getBytes(1);
                    assertEquals(rs.getString(3), Sha256.hex(jpeg));
                    assertTrue(decode(jpeg).getWidth() > 0);
                    decoded++;
                }
            }
            assertEquals(EXAMPLE_IMAGES, decoded);
            try (ResultSet rs = st.executeQuery("SELECT max(row_group_num_rows) FROM parquet_metadata('" + files
                    + "')")) {
                rs.next();
                assertTrue(rs.getLong(1) <= 100, "row groups of at most 100 rows");
            }
        }

        assertEquals(0, generate(out, "--output-format", "parquet", "--image-format", "jpeg"));
        assertEquals(0, summary(out).get("generated").asLong(), "a rerun skips recorded images");
        assertEquals(EXAMPLE_IMAGES, spark.read().parquet(out + "/metadata").count());
    }

    @Test
    void filesFormatWritesJpegObjectsWithTheirParameters() throws Exception {
        Path out = dir.resolve("files-jpeg");
        assertEquals(0, generate(out, "--image-format", "jpeg"));
        List<Path> jpgs;
        try (Stream<Path> files = Files.walk(out.resolve("images"))) {
            jpgs = files.filter(p -> p.toString().endsWith(".jpg")).toList();
        }
        assertEquals(EXAMPLE_IMAGES, jpgs.size());
        Map<String, Row> rows = new HashMap<>();
        for (Row r : spark.read().parquet(out + "/metadata").select("image_uri", "sha256", "num_inference_steps",
                "request_id").collectAsList()) {
            rows.put(r.getString(0), r);
        }
        for (Path jpg : jpgs) {
            byte[] bytes = Files.readAllBytes(jpg);
            Row row = rows.get(jpg.toString());
            assertEquals(Sha256.hex(bytes), row.getString(1), "sha256 of the stored bytes");
            Map<String, String> xmp = Xmp.read(Jpeg.xmp(bytes).orElseThrow());
            assertEquals(Integer.toString(row.getInt(2)), xmp.get("num_inference_steps"));
            assertEquals(row.getString(3), xmp.get("request_id"));
        }
    }
}
