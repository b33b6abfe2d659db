package dev.ldmforge.jobs.executor;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ldmforge.jobs.storage.S3Settings;
import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.nn.Parameter;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.unet.UNet2DConditionConfig;
import dev.ldmforge.runtime.unet.UNet2DConditionModel;
import dev.ldmforge.runtime.weights.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An executor keeps at most {@code --max-loaded-models} pipelines: three models (tiny-sd with a UNet widened to
 * about 80 MB of float32 weights, in three folders) leased in turn with a limit of 1 and 2; the least recently used
 * idle one is closed, and the process's resident memory (/proc/self/status VmRSS) falls back after the eviction.
 */
class ExecutorPipelinesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** tiny-sd with a wider UNet (its weights dominate the model's memory), written once and copied. */
    private List<Path> models(int n) throws IOException {
        Path tiny = Fixtures.path("tiny-sd");
        Path first = dir.resolve("wide-0");
        copyTree(tiny, first);
        ObjectNode unet = (ObjectNode) JSON.readTree(tiny.resolve("unet/config.json").toFile());
        ArrayNode channels = unet.putArray("block_out_channels");
        channels.add(256).add(512);
        Files.writeString(first.resolve("unet/config.json"), unet.toString());
        Parameters params = new Parameters();
        new UNet2DConditionModel(UNet2DConditionConfig.from(JsonConfig.parse(unet.toString(), "unet")), params);
        try (NDManager m = NDManager.newBaseManager()) {
            params.initRandom(m, DataType.FLOAT32, 13, Parameters.Initializer.pytorchLike());
            SafetensorsWriter writer = new SafetensorsWriter();
            for (Parameter p : params.all()) {
                writer.add(p.key(), p.array());
            }
            Files.delete(first.resolve("unet/diffusion_pytorch_model.safetensors"));
            writer.write(first.resolve("unet/diffusion_pytorch_model.safetensors"));
        }
        assertTrue(params.count() > 15_000_000, "UNet parameters " + params.count());
        List<Path> all = new java.util.ArrayList<>(List.of(first));
        for (int i = 1; i < n; i++) {
            Path copy = dir.resolve("wide-" + i);
            copyTree(first, copy);
            all.add(copy);
        }
        return all;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    private static ExecutorPipelines.Lease lease(Path model, int max) {
        return ExecutorPipelines.lease(model.toString(), "cpu", "float32", 0, S3Settings.from(Map.of()),
                Path.of(System.getProperty("java.io.tmpdir")), HubConf.from(Map.of()), max);
    }

    /** Resident memory of this JVM in MB, after a GC so that Java garbage does not blur native frees. */
    private static long rssMb() throws IOException {
        System.gc();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    @Test
    void leastRecentlyUsedIdleModelIsClosedAndItsMemoryFreed() throws IOException {
        List<Path> models = models(3);
        long loadsBefore = ExecutorPipelines.loads();
        long evictionsBefore = ExecutorPipelines.evictions();

        // Limit 2: A and B stay; leasing A again reuses it (and makes B the least recently used).
        ExecutorPipelines.Lease a = lease(models.get(0), 2);
        a.close();
        ExecutorPipelines.Lease b = lease(models.get(1), 2);
        b.close();
        try (ExecutorPipelines.Lease again = lease(models.get(0), 2)) {
            assertSame(a.model(), again.model(), "a loaded model is reused");
        }
        assertEquals(2, ExecutorPipelines.loads() - loadsBefore);
        assertEquals(evictionsBefore, ExecutorPipelines.evictions());
        long twoLoaded = rssMb();

        // A third model with limit 2: B (least recently used) is closed, A stays.
        try (ExecutorPipelines.Lease c = lease(models.get(2), 2)) {
            assertEquals(evictionsBefore + 1, ExecutorPipelines.evictions(), "B evicted");
            assertEquals(2, ExecutorPipelines.loaded());
        }
        try (ExecutorPipelines.Lease stillA = lease(models.get(0), 2)) {
            assertSame(a.model(), stillA.model(), "A was the most recently used: kept");
        }

        // Limit 1 while a lease is held: nothing in use is closed; the idle one goes as soon as it can.
        try (ExecutorPipelines.Lease held = lease(models.get(2), 1)) {
            assertEquals(1, ExecutorPipelines.loaded(), "A (idle) closed, C (leased) kept");
            assertEquals(evictionsBefore + 2, ExecutorPipelines.evictions());
            long oneLoaded = rssMb();
            assertTrue(oneLoaded < twoLoaded - 40, "RSS fell back after the eviction: " + twoLoaded + " MB with two "
                    + "models, " + oneLoaded + " MB with one");
            System.out.printf("ExecutorPipelinesTest: VmRSS %d MB with two wide models, %d MB after evicting one%n",
                    twoLoaded, oneLoaded);
        }
        try (ExecutorPipelines.Lease reloaded = lease(models.get(1), 2)) {
            assertNotSame(b.model(), reloaded.model(), "an evicted model is loaded afresh");
        }
    }
}
