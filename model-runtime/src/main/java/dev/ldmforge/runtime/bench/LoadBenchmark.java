package dev.ldmforge.runtime.bench;

import dev.ldmforge.runtime.nn.Parameter;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.weights.SafetensorsWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code load-sd15-unet}: writes the random-weight SD 1.5 UNet as float32 safetensors to a temporary folder (deleted
 * afterwards), then loads it in fresh child JVMs ({@link LoadProbe}), so each load's peak RSS (VmHWM) is its own and
 * not this process's. The first child warms the page cache: the figures are for a file already in memory.
 */
final class LoadBenchmark {
    private LoadBenchmark() {
    }

    static BenchResult run(Parameters unet, int runs) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("ldmforge-bench-");
            Path file = dir.resolve("diffusion_pytorch_model.safetensors");
            SafetensorsWriter writer = new SafetensorsWriter();
            for (Parameter p : unet.all()) {
                writer.add(p.key(), p.array());
            }
            writer.write(file);
            long bytes = Files.size(file);
            double[] ms = new double[runs];
            long peak = 0;
            for (int i = -1; i < runs; i++) {
                LoadProbe.Figures f = probe(file);
                if (i >= 0) {
                    ms[i] = f.loadMs();
                    peak = Math.max(peak, f.peakRssBytes());
                }
            }
            Timing t = new Timing(ms, new double[runs]);
            return BenchResult.compute("load-sd15-unet", RuntimeBenchmarks.DTYPE, t, Double.NaN,
                    "SafetensorsFile + Parameters.load of a " + bytes / (1024 * 1024) + " MiB float32 SD 1.5 UNet "
                            + "(page cache warm), in a child JVM; peak RSS = the child's VmHWM (JVM + libtorch + weights)")
                    .withLoad(bytes / t.medianMs() / 1e6, peak);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static LoadProbe.Figures probe(Path file) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(java, "-Xmx1g", "-Dai.djl.offline=true",
                "-Dldmforge.fixtures=" + System.getProperty("ldmforge.fixtures", "../shared/fixtures"),
                "-cp", System.getProperty("java.class.path"), LoadProbe.class.getName(), file.toString());
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (child.waitFor() != 0) {
                throw new IllegalStateException("load probe failed (exit " + child.exitValue() + "): " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading", e);
        }
        return LoadProbe.Figures.parse(out);
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temp folder left behind is not worth failing the benchmark for.
        }
    }
}
