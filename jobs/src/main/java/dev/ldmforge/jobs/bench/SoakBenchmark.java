package dev.ldmforge.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ldmforge.jobs.cli.LdmForgeCli;
import dev.ldmforge.jobs.spark.SparkSessions;
import dev.ldmforge.runtime.bench.BenchResult;
import dev.ldmforge.runtime.bench.Benchmark;
import dev.ldmforge.runtime.bench.RuntimeBenchmarks;
import dev.ldmforge.runtime.bench.Timing;
import dev.ldmforge.runtime.pipeline.GenerationRequest;
import org.apache.spark.sql.SparkSession;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * {@code soak-tiny}: one {@code generate} run over many tiny-model images (10,000 by default, {@code bench
 * --soak-images N}) in Spark local mode, where the executor is this JVM, with its resident memory (VmRSS) sampled
 * every {@value #SAMPLE_SECONDS} s. A leak per image shows as drift: the mean RSS of the run's second half against
 * its first, after a warm-up of the first tenth of the run (goal: within 5 %). Reported: {@code peak_rss_mb}, {@code rss_first_half_mb},
 * {@code rss_second_half_mb}, {@code rss_drift} (second / first − 1), {@code rss_samples}, and images/s.
 */
public final class SoakBenchmark {
    public static final String NAME = "soak-tiny";
    public static final int DEFAULT_IMAGES = 10_000;
    static final int SAMPLE_SECONDS = 10;
    /** Tasks of this many images: like a large job, many tasks run through the same executor JVM. */
    private static final int IMAGES_PER_TASK = 100;

    private SoakBenchmark() {
    }

    public static Benchmark benchmark(IntSupplier images) {
        return new Benchmark(NAME, false, runs -> run(images.getAsInt()));
    }

    private static BenchResult run(int images) {
        Path dir = null;
        SparkSession spark = null;
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "soak-rss-sampler");
            t.setDaemon(true);
            return t;
        });
        List<double[]> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            dir = Files.createTempDirectory("ldmforge-bench-soak");
            Path prompts = writePrompts(dir.resolve("prompts.jsonl"), images);
            spark = SparkSessions.create("ldmforge bench soak", "local[*]", Map.of());
            long start = System.nanoTime();
            sampler.scheduleAtFixedRate(() -> samples.add(new double[]{(System.nanoTime() - start) / 1e9, rssMb()}),
                    0, SAMPLE_SECONDS, TimeUnit.SECONDS);
            Path out = dir.resolve("out");
            Timing t = Timing.measure(0, 1, () -> generate(prompts, images, out));
            sampler.shutdown();
            sampler.awaitTermination(1, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - start) / 1e9;
            samples.add(new double[]{seconds, rssMb()});
            double peak = samples.stream().mapToDouble(s -> s[1]).max().orElse(Double.NaN);
            // The first tenth (Spark start, model load, JIT) is warm-up, not drift.
            double warm = seconds / 10;
            double middle = warm + (seconds - warm) / 2;
            double first = mean(samples, warm, middle);
            double second = mean(samples, middle, Double.MAX_VALUE);
            System.out.printf("%s: VmRSS every %d s (MB): %s%n", NAME, SAMPLE_SECONDS,
                    samples.stream().map(s -> String.format("%.0f", s[1])).toList());
            return BenchResult.compute(NAME, "float32", t, Double.NaN, "one generate job over " + images
                            + " images of: " + RuntimeBenchmarks.tinyWorkload() + ", local[*], tasks of "
                            + IMAGES_PER_TASK + " images; VmRSS of the JVM (driver and executor) every "
                            + SAMPLE_SECONDS + " s; rss_drift = mean of the second half / mean of the first - 1, after the first tenth (warm-up)")
                    .withImagesPerS(images / (t.medianMs() / 1000))
                    .withExtra("images", images)
                    .withExtra("peak_rss_mb", peak)
                    .withExtra("rss_first_half_mb", first)
                    .withExtra("rss_second_half_mb", second)
                    .withExtra("rss_drift", second / first - 1)
                    .withExtra("rss_samples", samples.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            sampler.shutdownNow();
            if (spark != null) {
                spark.stop();
            }
            JobBenchmark.deleteQuietly(dir);
        }
    }

    /** Mean RSS of the samples taken in [from, to) seconds; NaN if none (a run shorter than two samples). */
    private static double mean(List<double[]> samples, double from, double to) {
        synchronized (samples) {
            return samples.stream().filter(s -> s[0] >= from && s[0] < to).mapToDouble(s -> s[1]).average()
                    .orElse(Double.NaN);
        }
    }

    static double rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            // not Linux: no figure
        }
        return Double.NaN;
    }

    private static Path writePrompts(Path file, int images) throws IOException {
        GenerationRequest r = RuntimeBenchmarks.tinyRequest();
        ObjectMapper json = new ObjectMapper();
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int i = 0; i < images; i++) {
                ObjectNode row = json.createObjectNode().put("request_id", "soak-" + i).put("prompt", r.prompt())
                        .put("negative_prompt", r.negativePrompt()).put("num_inference_steps", r.numInferenceSteps())
                        .put("guidance_scale", r.guidanceScale()).put("width", r.width()).put("height", r.height())
                        .put("seed", r.seed() + i).put("scheduler", r.scheduler());
                w.write(json.writeValueAsString(row));
                w.newLine();
            }
        }
        return file;
    }

    private static void generate(Path prompts, int images, Path out) {
        PrintStream stdout = System.out;
        try {
            System.setOut(new PrintStream(PrintStream.nullOutputStream()));
            int code = LdmForgeCli.commandLine().execute("generate", "--model", "tiny", "--prompts",
                    prompts.toString(), "--output", out.toString(), "--batch-size", "1", "--partitions",
                    Integer.toString(Math.max(2, (images + IMAGES_PER_TASK - 1) / IMAGES_PER_TASK)));
            if (code != 0) {
                throw new IllegalStateException("soak benchmark: generate exited " + code);
            }
        } finally {
            System.setOut(stdout);
        }
    }
}
