package dev.ldmforge.jobs.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.jobs.cli.LdmForgeCli;
import dev.ldmforge.jobs.images.Png;
import dev.ldmforge.jobs.storage.S3ObjectStore;
import dev.ldmforge.jobs.testing.LocalSpark;
import dev.ldmforge.jobs.testing.S3ProxyServer;
import dev.ldmforge.runtime.hub.HubTestServer;
import dev.ldmforge.runtime.pipeline.LoadOptions;
import dev.ldmforge.runtime.pipeline.StableDiffusion;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batch job with a model named by Hugging Face id: the driver pins the revision to a commit once, executors load
 * that commit even after the branch moved, and the commit is recorded in {@code _SUMMARY.json}, every metadata row
 * and every PNG; offline executors read the snapshot from an {@code s3://} mirror of a hub cache. The Hub is a real
 * HTTP server on 127.0.0.1 holding the built-in demo model; the mirror a real S3-compatible server.
 */
class HubModelJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REPO = "ldmforge-test/demo";
    private static SparkSession spark;
    private static String demoHash;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start("local[2]", "HubModelJobTest");
        try (StableDiffusion demo = StableDiffusion.load("demo", LoadOptions.cpu())) {
            demoHash = demo.info().weightsSha256();
        }
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private Path prompts(String... more) throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "{\"prompt\": \"a red circle on a blue background\", \"seed\": 1}",
                "{\"prompt\": \"a green square on a white background\", \"seed\": 2}",
                "{\"prompt\": \"a yellow triangle on a purple background\", \"seed\": 3, \"num_images_per_prompt\": 2}"));
        lines.addAll(List.of(more));
        return Files.writeString(dir.resolve("prompts.jsonl"), String.join("\n", lines));
    }

    private static int generate(List<String> args) {
        List<String> all = new ArrayList<>(List.of("generate", "--model", REPO, "--steps", "2", "--partitions", "2"));
        all.addAll(args);
        return LdmForgeCli.commandLine().execute(all.toArray(String[]::new));
    }

    /** Every metadata row names the repository, the pinned commit and the weights of that commit. */
    private static void assertRowsAt(Path out, String commit, String hash) {
        List<Row> rows = spark.read().parquet(out.resolve("metadata").toString())
                .select("model_id", "model_revision", "model_hash").distinct().collectAsList();
        assertEquals(1, rows.size(), rows.toString());
        assertEquals(REPO, rows.get(0).getString(0));
        assertEquals(commit, rows.get(0).getString(1));
        assertEquals(hash, rows.get(0).getString(2));
    }

    @Test
    void theDriverPinsOneCommitThatEveryExecutorLoadsAfterTheBranchMoved() throws IOException {
        try (HubTestServer hub = HubTestServer.start()) {
            Map<String, byte[]> demo = HubTestServer.demoModel();
            String pinned = hub.publish(REPO, demo);
            Map<String, byte[]> retrained = new TreeMap<>(demo);
            byte[] weights = retrained.get("text_encoder/model.safetensors").clone();
            weights[weights.length - 4] ^= 1; // one float of the last tensor: other weights, other hash
            retrained.put("text_encoder/model.safetensors", weights);
            AtomicReference<String> moved = new AtomicReference<>();
            // The branch moves as soon as the driver has asked what main is.
            hub.afterInfo(() -> moved.compareAndSet(null, hub.publish(REPO, retrained)));

            Path out = dir.resolve("out");
            Path cache = dir.resolve("hf-hub");
            // A request may not make executors download a model the job did not name.
            String stranger = "{\"prompt\": \"a red circle\", \"request_id\": \"stranger\", \"model\": \"ldmforge-test/other\"}";
            assertEquals(0, generate(List.of("--prompts", prompts(stranger).toString(), "--output", out.toString(),
                    "--conf", "ldmforge.hub.endpoint=" + hub.endpoint(), "--conf", "ldmforge.hub.cache=" + cache)));

            assertNotEquals(null, moved.get(), "main moved during the job");
            JsonNode summary = JSON.readTree(out.resolve("_SUMMARY.json").toFile());
            assertEquals(REPO, summary.get("model_id").asText());
            assertEquals(pinned, summary.get("model_revision").asText());
            assertEquals(demoHash, summary.get("model_hash").asText());
            assertEquals(4, summary.get("generated").asLong());
            assertEquals(1, summary.get("dead_letters_by_code").get("UNKNOWN_MODEL").asLong(), summary.toString());
            assertRowsAt(out, pinned, demoHash);
            try (Stream<Path> pngs = Files.walk(out.resolve("images"))) {
                Path png = pngs.filter(p -> p.toString().endsWith(".png")).findFirst().orElseThrow();
                assertEquals(pinned, Png.readText(Files.readAllBytes(png)).get("model_revision"));
            }
            List<HubTestServer.Request> asked = hub.requests();
            assertTrue(asked.stream().noneMatch(r -> r.path().contains("ldmforge-test/other")), hub.describeRequests());
            assertEquals(1, asked.stream().filter(r -> r.path().endsWith("/revision/main")).count(),
                    "the revision was resolved once, by the driver:\n" + hub.describeRequests());
            assertTrue(asked.stream().filter(r -> r.path().contains("/resolve/"))
                    .allMatch(r -> r.path().contains("/resolve/" + pinned + "/")), hub.describeRequests());
            assertTrue(Files.isSymbolicLink(cache.resolve("models--ldmforge-test--demo/snapshots").resolve(pinned)
                    .resolve("unet/diffusion_pytorch_model.safetensors")));
        }
    }

    @Test
    void offlineExecutorsReadTheSnapshotFromAnS3MirrorOfAHubCache() throws IOException {
        S3ProxyServer s3 = S3ProxyServer.get();
        s3.createBucket("hub-mirror");
        String commit = "0123456789abcdef0123456789abcdef01234567";
        String prefix = "run-" + System.nanoTime() + "/hub";
        // What `aws s3 sync ~/.cache/huggingface/hub s3://hub-mirror/...` uploads of a cached model.
        try (S3ObjectStore mirror = new S3ObjectStore(URI.create("s3://hub-mirror/" + prefix),
                S3ProxyServer.settings(s3.endpoint(), 3))) {
            String repo = "models--ldmforge-test--demo/";
            mirror.put(repo + "refs/main", commit.getBytes(StandardCharsets.UTF_8), "text/plain");
            for (Map.Entry<String, byte[]> f : HubTestServer.demoModel().entrySet()) {
                mirror.put(repo + "snapshots/" + commit + "/" + f.getKey(), f.getValue(), "application/octet-stream");
            }
        }

        Path out = dir.resolve("offline-out");
        Path cache = dir.resolve("empty-hub-cache");
        assertEquals(0, generate(List.of("--prompts", prompts().toString(), "--output", out.toString(),
                "--conf", "ldmforge.hub.offline=true", "--conf", "ldmforge.hub.endpoint=http://127.0.0.1:9",
                "--conf", "ldmforge.hub.cache=" + cache, "--conf", "ldmforge.hub.mirror=s3://hub-mirror/" + prefix,
                "--conf", "ldmforge.s3.endpoint=" + s3.endpoint(), "--conf", "ldmforge.s3.region=us-east-1")));

        JsonNode summary = JSON.readTree(out.resolve("_SUMMARY.json").toFile());
        assertEquals(commit, summary.get("model_revision").asText());
        assertRowsAt(out, commit, demoHash);
        Path unet = cache.resolve("models--ldmforge-test--demo/snapshots").resolve(commit)
                .resolve("unet/diffusion_pytorch_model.safetensors");
        assertTrue(Files.isSymbolicLink(unet) && Files.readSymbolicLink(unet).toString().startsWith("../../../blobs/"),
                "copied into the node's hub cache in huggingface_hub's layout");
    }
}
