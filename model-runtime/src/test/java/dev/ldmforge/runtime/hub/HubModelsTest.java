package dev.ldmforge.runtime.hub;

import dev.ldmforge.runtime.pipeline.LoadOptions;
import dev.ldmforge.runtime.pipeline.ModelInfo;
import dev.ldmforge.runtime.pipeline.StableDiffusion;
import dev.ldmforge.runtime.weights.CheckpointOptions;
import dev.ldmforge.runtime.weights.SafetensorsFile;
import dev.ldmforge.runtime.weights.SafetensorsWriter;
import dev.ldmforge.runtime.weights.WeightsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models by Hugging Face id against a real HTTP server on 127.0.0.1 ({@link HubTestServer}) holding the built-in demo
 * model as a Hub repository: the cache layout, reuse without network, offline mode, verification, resumed downloads,
 * gated repositories, errors, revision pinning, sharded variant weights and two JVMs downloading at once.
 */
class HubModelsTest {
    private static final String REPO = "ldmforge-test/demo";
    private static final String UNET = "unet/diffusion_pytorch_model.safetensors";
    private static final String VAE = "vae/diffusion_pytorch_model.safetensors";
    private static final String TEXT_ENCODER = "text_encoder/model.safetensors";

    @TempDir
    Path dir;

    private HubTestServer server;
    private Map<String, byte[]> demo;
    private Path cache;

    @BeforeEach
    void start() {
        server = HubTestServer.start();
        demo = HubTestServer.demoModel();
        cache = dir.resolve("hub");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HubSettings settings(Path cacheDir) {
        return new HubSettings(URI.create(server.endpoint()), null, cacheDir, false, true);
    }

    private static HubModelId id(String name) {
        return HubModelId.parse(name).orElseThrow();
    }

    /** The demo model as a repository on the Hub holds such a model, with files a pipeline must never fetch. */
    private Map<String, byte[]> withDistractors(Map<String, byte[]> model) {
        Map<String, byte[]> files = new TreeMap<>(model);
        files.put("README.md", "# demo".getBytes(StandardCharsets.UTF_8));
        files.put("unet/diffusion_pytorch_model.bin", "not a pickle".getBytes(StandardCharsets.UTF_8));
        files.put("unet/diffusion_pytorch_model.fp16.safetensors", demo.get(VAE));
        files.put("v1-5-pruned-emaonly.ckpt", "not a checkpoint".getBytes(StandardCharsets.UTF_8));
        files.put("safety_checker/model.safetensors", demo.get(TEXT_ENCODER));
        files.put("feature_extractor/preprocessor_config.json", "{}".getBytes(StandardCharsets.UTF_8));
        return files;
    }

    /** The files whose metadata the client asked for (HEAD .../resolve/COMMIT/FILE). */
    private Set<String> headed() {
        return server.requests().stream().filter(r -> r.method().equals("HEAD"))
                .map(r -> r.path().replaceFirst("^/[^/]+/[^/]+/resolve/[^/]+/", ""))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static List<Path> files(Path folder, String suffix) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(folder)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
        }
    }

    @Test
    void firstDownloadLaysOutTheHubCacheAndFetchesOnlyWhatThePipelineReads() throws IOException {
        String commit = server.publish(REPO, withDistractors(demo));
        HubModels.Snapshot s = new HubModels(settings(cache)).snapshot(id(REPO), null, HubModels.Fetch.ALL);

        Path repo = cache.resolve("models--ldmforge-test--demo");
        assertEquals(commit, s.commit());
        assertEquals(repo.resolve("snapshots").resolve(commit), s.folder());
        assertEquals(commit, Files.readString(repo.resolve("refs/main")));
        for (Map.Entry<String, byte[]> f : demo.entrySet()) {
            Path pointer = s.folder().resolve(f.getKey());
            assertTrue(Files.isSymbolicLink(pointer), pointer + " is a symlink into blobs/");
            assertArrayEquals(f.getValue(), Files.readAllBytes(pointer), f.getKey());
        }
        assertEquals(Path.of("../../../blobs/" + HubTestServer.sha256(demo.get(UNET))),
                Files.readSymbolicLink(s.folder().resolve(UNET)), "LFS blobs are named by their sha256");
        assertEquals(Path.of("../../blobs/" + HubTestServer.gitBlobSha1(demo.get("model_index.json"))),
                Files.readSymbolicLink(s.folder().resolve("model_index.json")), "others by their git blob id");
        assertTrue(files(repo, ".incomplete").isEmpty());
        assertEquals(demo.keySet(), headed(), "exactly the files the pipeline reads:\n" + server.describeRequests());

        LoadOptions options = LoadOptions.cpu().withHub(settings(cache));
        try (StableDiffusion byId = StableDiffusion.load(REPO, options);
             StableDiffusion builtIn = StableDiffusion.load("demo", LoadOptions.cpu())) {
            ModelInfo info = byId.info();
            assertEquals(REPO, info.id());
            assertEquals(commit, info.revision());
            assertEquals(builtIn.info().weightsSha256(), info.weightsSha256());
        }
    }

    @Test
    void aFilledCacheServesTheModelWithTheServerStopped() {
        String commit = server.publish(REPO, demo);
        HubModels hub = new HubModels(settings(cache));
        Path folder = hub.snapshot(id(REPO), null, HubModels.Fetch.ALL).folder();
        server.close();

        assertEquals(folder, hub.snapshot(id(REPO + "@" + commit), null, HubModels.Fetch.ALL).folder(),
                "a commit needs no network");
        assertEquals(folder, hub.snapshot(id(REPO), null, HubModels.Fetch.ALL).folder(),
                "an unreachable Hub: the cached refs/main");
        HubException e = assertThrows(HubException.class,
                () -> hub.snapshot(id(REPO + "@v2"), null, HubModels.Fetch.ALL));
        assertTrue(e.getMessage().contains("cannot reach " + server.endpoint()), e.getMessage());
        assertTrue(e.getMessage().contains(cache.toString()), e.getMessage());
    }

    @Test
    void offlineModeReadsOnlyTheCacheAndSaysWhatIsMissing() {
        server.publish(REPO, demo);
        HubException empty = assertThrows(HubException.class, () -> new HubModels(settings(cache).withOffline(true))
                .snapshot(id(REPO), null, HubModels.Fetch.ALL));
        assertTrue(empty.getMessage().contains("HF_HUB_OFFLINE") && empty.getMessage().contains(cache.toString()),
                empty.getMessage());
        assertTrue(server.requests().isEmpty(), server.describeRequests());

        new HubModels(settings(cache)).snapshot(id(REPO), null, HubModels.Fetch.CONFIGS);
        int online = server.requests().size();
        HubModels offline = new HubModels(settings(cache).withOffline(true));
        offline.snapshot(id(REPO), null, HubModels.Fetch.CONFIGS);
        HubException noWeights = assertThrows(HubException.class,
                () -> offline.snapshot(id(REPO), null, HubModels.Fetch.ALL));
        assertTrue(noWeights.getMessage().contains("HF_HUB_OFFLINE")
                && noWeights.getMessage().contains("no weights"), noWeights.getMessage());

        new HubModels(settings(cache)).snapshot(id(REPO), null, HubModels.Fetch.ALL);
        online = server.requests().size();
        offline.snapshot(id(REPO), null, HubModels.Fetch.ALL);
        assertEquals(online, server.requests().size(), "offline: no request at all");
    }

    @Test
    void aCorruptDownloadNeverEntersTheCache() throws IOException {
        server.publish(REPO, demo);
        HubModels hub = new HubModels(settings(cache));
        server.corrupt(UNET);
        HubException lfs = assertThrows(HubException.class, () -> hub.snapshot(id(REPO), null, HubModels.Fetch.ALL));
        assertTrue(lfs.getMessage().contains("failed verification: sha256"), lfs.getMessage());
        Path repo = cache.resolve("models--ldmforge-test--demo");
        assertFalse(Files.exists(repo.resolve("blobs").resolve(HubTestServer.sha256(demo.get(UNET)))));
        assertTrue(files(repo, ".incomplete").isEmpty(), "the corrupt bytes are deleted");
        assertTrue(files(repo.resolve("snapshots"), "diffusion_pytorch_model.safetensors").stream()
                .noneMatch(p -> p.toString().contains("unet")), "no snapshot link to a missing blob");

        server.clearFaults();
        server.corrupt("scheduler/scheduler_config.json");
        HubException git = assertThrows(HubException.class,
                () -> new HubModels(settings(dir.resolve("other"))).snapshot(id(REPO), null, HubModels.Fetch.ALL));
        assertTrue(git.getMessage().contains("failed verification: git blob sha1"), git.getMessage());

        server.clearFaults();
        hub.snapshot(id(REPO), null, HubModels.Fetch.ALL);
    }

    @Test
    void anInterruptedDownloadResumesWhereItStopped() throws IOException {
        server.publish(REPO, demo);
        server.dropConnection(UNET, 3_000_000, 1);
        Path folder = new HubModels(settings(cache)).snapshot(id(REPO), null, HubModels.Fetch.ALL).folder();
        assertArrayEquals(demo.get(UNET), Files.readAllBytes(folder.resolve(UNET)));
        List<HubTestServer.Request> gets = server.downloads(UNET);
        assertEquals(2, gets.size(), server.describeRequests());
        assertEquals(null, gets.get(0).range());
        long resumedAt = Long.parseLong(gets.get(1).range().replaceAll("bytes=(\\d+)-", "$1"));
        assertTrue(resumedAt > 0 && resumedAt <= 3_000_000, gets.get(1).range());

        // A partial blob left by a process killed mid-download is resumed by the next one.
        Path other = dir.resolve("killed");
        HubModelId repo = id(REPO);
        byte[] vae = demo.get(VAE);
        Path incomplete = new HubCache(other).incomplete(repo, HubTestServer.sha256(vae));
        Files.createDirectories(incomplete.getParent());
        Files.write(incomplete, java.util.Arrays.copyOf(vae, vae.length / 2));
        Path resumed = new HubModels(settings(other)).snapshot(repo, null, HubModels.Fetch.ALL).folder();
        assertArrayEquals(vae, Files.readAllBytes(resumed.resolve(VAE)));
        assertEquals("bytes=" + vae.length / 2 + "-", server.downloads(VAE).get(1).range());
    }

    @Test
    void aGatedRepositoryNeedsItsTokenWhichNeverLeavesTheHub() {
        server.publish(REPO, demo);
        server.gate(REPO, "hf_test_token");
        HubException e = assertThrows(HubException.class,
                () -> new HubModels(settings(cache)).snapshot(id(REPO), null, HubModels.Fetch.ALL));
        assertTrue(e.getMessage().contains("HF_TOKEN") && e.getMessage().contains("gated"), e.getMessage());

        new HubModels(settings(cache).withToken("hf_test_token")).snapshot(id(REPO), null, HubModels.Fetch.ALL);
        List<HubTestServer.Request> cdn = server.requests().stream().filter(r -> r.server().equals("cdn")).toList();
        assertFalse(cdn.isEmpty());
        assertTrue(cdn.stream().noneMatch(HubTestServer.Request::authorized), "no token sent to the CDN");
        assertTrue(server.requests().stream().anyMatch(r -> r.server().equals("hub") && r.authorized()));
    }

    @Test
    void missingRepositoriesRevisionsAndFilesAreNamed() {
        HubModels hub = new HubModels(settings(cache));
        assertMessage(() -> hub.snapshot(id("ldmforge-test/nope"), null, HubModels.Fetch.ALL),
                "no repository ldmforge-test/nope at " + server.endpoint());
        server.publish(REPO, demo);
        assertMessage(() -> hub.snapshot(id(REPO + "@v9"), null, HubModels.Fetch.ALL),
                REPO + " has no revision v9");

        Map<String, byte[]> noIndex = new TreeMap<>(demo);
        noIndex.remove("model_index.json");
        server.publish("ldmforge-test/single", noIndex);
        assertMessage(() -> hub.snapshot(id("ldmforge-test/single"), null, HubModels.Fetch.ALL),
                "has no model_index.json: not a diffusers pipeline repository");

        Map<String, byte[]> pickled = new TreeMap<>(demo);
        pickled.put("unet/diffusion_pytorch_model.bin", pickled.remove(UNET));
        server.publish("ldmforge-test/pickled", pickled);
        WeightsException refused = assertThrows(WeightsException.class,
                () -> hub.snapshot(id("ldmforge-test/pickled"), null, HubModels.Fetch.ALL));
        assertTrue(refused.getMessage().contains("holds only pickled weights (diffusion_pytorch_model.bin)"),
                refused.getMessage());
        assertFalse(headed().contains("unet/diffusion_pytorch_model.bin"), "a pickle is never downloaded");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String expected) {
        HubException e = assertThrows(HubException.class, call);
        assertTrue(e.getMessage().contains(expected), "'" + expected + "' in: " + e.getMessage());
    }

    @Test
    void aPinnedCommitStaysWhenTheBranchMoves() throws IOException {
        HubModels hub = new HubModels(settings(cache));
        String first = server.publish(REPO, demo);
        assertEquals(first, hub.commit(id(REPO)));
        Map<String, byte[]> changed = new TreeMap<>(demo);
        changed.put("scheduler/scheduler_config.json", "{\"_class_name\": \"PNDMScheduler\"}".getBytes(
                StandardCharsets.UTF_8));
        String second = server.publish(REPO, changed);

        Path pinned = hub.snapshot(id(REPO + "@" + first), null, HubModels.Fetch.ALL).folder();
        assertArrayEquals(demo.get("scheduler/scheduler_config.json"),
                Files.readAllBytes(pinned.resolve("scheduler/scheduler_config.json")));
        assertTrue(server.requests().stream().filter(r -> r.path().contains("/resolve/"))
                .allMatch(r -> r.path().contains("/resolve/" + first + "/")), server.describeRequests());

        assertEquals(second, hub.commit(id(REPO)));
        assertEquals(second, Files.readString(cache.resolve("models--ldmforge-test--demo/refs/main")));
        server.setBranch(REPO, "v1.0", first);
        assertEquals(first, hub.commit(id(REPO + "@v1.0")));
        assertEquals(first, Files.readString(cache.resolve("models--ldmforge-test--demo/refs/v1.0")));
    }

    @Test
    void variantFilesAndShardedWeightsAreFetchedAndLoad() throws IOException {
        Map<String, byte[]> files = new TreeMap<>(demo);
        files.put("vae/diffusion_pytorch_model.fp16.safetensors", demo.get(VAE));
        files.put("text_encoder/model.fp16.safetensors", demo.get(TEXT_ENCODER));
        files.putAll(sharded(demo.get(UNET), "unet/diffusion_pytorch_model", ".fp16"));
        String commit = server.publish(REPO, files);

        HubSettings hub = settings(cache);
        new HubModels(hub).snapshot(id(REPO), "fp16", HubModels.Fetch.ALL);
        Set<String> fetched = headed();
        assertTrue(fetched.containsAll(Set.of("unet/diffusion_pytorch_model.safetensors.index.fp16.json",
                "unet/diffusion_pytorch_model-00001-of-00002.fp16.safetensors",
                "unet/diffusion_pytorch_model-00002-of-00002.fp16.safetensors",
                "vae/diffusion_pytorch_model.fp16.safetensors", "text_encoder/model.fp16.safetensors")), fetched
                .toString());
        assertFalse(fetched.contains(UNET) || fetched.contains(VAE) || fetched.contains(TEXT_ENCODER), fetched
                .toString());

        LoadOptions fp16Files = LoadOptions.cpu().withHub(hub).withCheckpoint(CheckpointOptions.defaults()
                .withVariant("fp16"));
        try (StableDiffusion byId = StableDiffusion.load(REPO + "@" + commit, fp16Files);
             StableDiffusion builtIn = StableDiffusion.load("demo", LoadOptions.cpu())) {
            assertEquals(builtIn.info().weightsSha256(), byId.info().weightsSha256());
        }
    }

    /** One safetensors file split in two shards and their index, as {@code save_pretrained} shards large models. */
    private Map<String, byte[]> sharded(byte[] file, String base, String variant) throws IOException {
        Path whole = dir.resolve("whole.safetensors");
        Files.write(whole, file);
        Map<String, byte[]> out = new TreeMap<>();
        StringBuilder map = new StringBuilder();
        try (SafetensorsFile source = SafetensorsFile.open(whole)) {
            List<String> keys = new ArrayList<>(new TreeSet<>(source.keys()));
            String folder = base.substring(0, base.lastIndexOf('/') + 1);
            String name = base.substring(base.lastIndexOf('/') + 1);
            for (int part = 0; part < 2; part++) {
                String shard = name + "-0000" + (part + 1) + "-of-00002" + variant + ".safetensors";
                SafetensorsWriter writer = new SafetensorsWriter();
                for (String key : keys.subList(part * keys.size() / 2, (part + 1) * keys.size() / 2)) {
                    writer.add(key, source.info(key).dtype(), source.info(key).shape(), source.bytes(key));
                    map.append(map.length() == 0 ? "" : ", ").append('"').append(key).append("\": \"").append(shard)
                            .append('"');
                }
                Path shardFile = dir.resolve(shard);
                writer.write(shardFile);
                out.put(folder + shard, Files.readAllBytes(shardFile));
            }
        }
        out.put(base + ".safetensors.index" + variant + ".json", ("{\"metadata\": {}, \"weight_map\": {" + map + "}}")
                .getBytes(StandardCharsets.UTF_8));
        return out;
    }

    @Test
    void twoJvmsDownloadingAtOnceMakeOneCopy() throws Exception {
        server.publish(REPO, demo);
        long rate = 4 << 20;
        server.throttle(UNET, rate); // about two seconds: the second JVM arrives while the first downloads
        List<Process> jvms = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), HubFetchMain.class.getName(), REPO);
            pb.environment().keySet().removeIf(k -> k.startsWith("HF_") || k.startsWith("HUGGING"));
            pb.environment().put("HF_ENDPOINT", server.endpoint());
            pb.environment().put("HF_HUB_CACHE", cache.toString());
            pb.redirectErrorStream(true);
            jvms.add(pb.start());
        }
        List<String> printed = new ArrayList<>();
        for (Process p : jvms) {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM finished");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            printed.add(out.strip().lines().reduce((a, b) -> b).orElse(""));
        }
        assertEquals(printed.get(0), printed.get(1));
        List<HubTestServer.Request> downloads = server.downloads(UNET);
        assertEquals(1, downloads.size(), "one download of the blob:\n" + server.describeRequests());
        long downloadEnds = downloads.get(0).nanos() + demo.get(UNET).length * 1_000_000_000L / rate;
        List<HubTestServer.Request> asked = server.requests().stream()
                .filter(r -> r.method().equals("HEAD") && r.path().endsWith(UNET)).toList();
        assertEquals(2, asked.size(), "both JVMs asked for the blob");
        assertTrue(asked.stream().allMatch(r -> r.nanos() < downloadEnds), "the second asked while it downloaded");
        Path blobs = cache.resolve("models--ldmforge-test--demo/blobs");
        assertTrue(files(blobs, ".incomplete").isEmpty());
        try (Stream<Path> b = Files.list(blobs)) {
            assertEquals(demo.size(), b.count(), "one blob per file");
        }
    }
}
