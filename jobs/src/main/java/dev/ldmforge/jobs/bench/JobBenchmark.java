package dev.ldmforge.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ldmforge.jobs.deploy.LocalCluster;
import dev.ldmforge.jobs.cli.LdmForgeCli;
import dev.ldmforge.jobs.spark.SparkSessions;
import dev.ldmforge.runtime.bench.BenchResult;
import dev.ldmforge.runtime.bench.Benchmark;
import dev.ldmforge.runtime.bench.RuntimeBenchmarks;
import dev.ldmforge.runtime.bench.Timing;
import dev.ldmforge.runtime.pipeline.GenerationRequest;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The batch job's benchmarks: steady-state images/s of {@code generate} over copies of pipeline-tiny's request
 * (distinct ids and seeds, the pipeline's batch size), as a user pays it on a large dataset. A warm-up job over
 * {@value #WARMUP_IMAGES} images first starts the Spark session and loads each executor's model; every timed job then
 * does all its work (plan, generate, write images, metadata, dead letters, summary, gallery) in that session. The
 * job's fixed cost, which a large dataset amortises, is reported apart as {@code fixed_overhead_s}: the time of the
 * same job rerun on its own output, where every stage runs and every image already exists. {@code job-tiny} runs
 * {@value #IMAGES} images in Spark local mode; {@code job-tiny-1-executor} and {@code job-tiny-2-executors}
 * {@value #CLUSTER_IMAGES} images on a standalone cluster of single-core executors ({@link LocalCluster}): a job of
 * 2.5 minutes on one executor, so that the ratio of the two is the executors' scaling, not mostly the driver's
 * fixed seconds (which would make any ratio tend to 1 on small enough jobs).
 */
public final class JobBenchmark {
    static final int IMAGES = 96;
    static final int CLUSTER_IMAGES = 3 * IMAGES;
    /** Two tasks: each single-core executor loads its model in the warm-up. */
    static final int WARMUP_IMAGES = 12;
    /** The batch size pipeline-tiny generates with. */
    static final int BATCH_SIZE = 1;
    /**
     * Images per task: on millions of images every task slot gets about the same share, but a few large tasks would
     * leave one slot idle at the end of the stage while another finishes. Small tasks keep slots level.
     */
    static final int IMAGES_PER_TASK = 6;

    private static Double oneExecutorImagesPerS;

    private JobBenchmark() {
    }

    /**
     * Issue 14's output layouts beside {@code job-tiny} (files + PNG): {@code job-tiny-<output format>-<image format>},
     * each with {@code bytes_per_image}, the stored image bytes (loose files, tar shards or Parquet files) per image.
     */
    static final List<List<String>> FORMATS = List.of(List.of("files", "jpeg"), List.of("files", "webp"),
            List.of("webdataset", "png"), List.of("webdataset", "jpeg"), List.of("webdataset", "webp"),
            List.of("parquet", "png"), List.of("parquet", "jpeg"), List.of("parquet", "webp"));

    /** @param pipelineImagesPerS pipeline-tiny's images/s in this run (NaN if it did not run): {@code of_pipeline} */
    public static List<Benchmark> benchmarks(DoubleSupplier pipelineImagesPerS) {
        List<Benchmark> all = new ArrayList<>(List.of(
                new Benchmark("job-tiny", true, runs -> local(runs, pipelineImagesPerS.getAsDouble())),
                new Benchmark("job-tiny-1-executor", false, runs -> cluster(1, runs)),
                new Benchmark("job-tiny-2-executors", false, runs -> cluster(2, runs))));
        for (List<String> f : FORMATS) {
            String name = "job-tiny-" + f.get(0) + "-" + f.get(1);
            List<String> flags = new ArrayList<>(List.of("--output-format", f.get(0), "--image-format", f.get(1)));
            if (f.get(0).equals("webdataset")) {
                // a shard is one task: 96 images in the default 10,000-sample shard would run on one core, unlike
                // a real dataset's thousands of shards; shards of one task's worth keep every core busy
                flags.addAll(List.of("--samples-per-shard", Integer.toString(IMAGES_PER_TASK)));
            }
            all.add(new Benchmark(name, false, runs -> measure(name, "local[*], " + String.join(" ", flags), IMAGES,
                    runs, () -> SparkSessions.create("ldmforge bench", "local[*]", Map.of()), flags)));
        }
        return all;
    }

    private static BenchResult local(int runs, double pipelineImagesPerS) {
        BenchResult r = measure("job-tiny", "local[*]", IMAGES, runs, () -> SparkSessions.create("ldmforge bench",
                "local[*]", Map.of()));
        return r.withExtra("of_pipeline", r.imagesPerS() / pipelineImagesPerS);
    }

    private static BenchResult cluster(int executors, int runs) {
        String name = executors == 1 ? "job-tiny-1-executor" : "job-tiny-" + executors + "-executors";
        Path work = Path.of(System.getProperty("java.io.tmpdir"),
                "ldmforge-bench-cluster-" + ProcessHandle.current().pid());
        try (LocalCluster cluster = LocalCluster.start(executors, work)) {
            BenchResult r = measure(name, "standalone, " + executors + " executor(s) x 1 core, 1 intra-op thread",
                    CLUSTER_IMAGES, runs, () -> cluster.session("ldmforge bench", ""));
            if (executors == 1) {
                oneExecutorImagesPerS = r.imagesPerS();
                return r;
            }
            return oneExecutorImagesPerS == null ? r : r.withExtra("scaling", r.imagesPerS() / oneExecutorImagesPerS);
        } finally {
            deleteQuietly(work);
        }
    }

    private static BenchResult measure(String name, String where, int images, int runs,
                                       Supplier<SparkSession> session) {
        return measure(name, where, images, runs, session, List.of());
    }

    private static BenchResult measure(String name, String where, int images, int runs,
                                       Supplier<SparkSession> session, List<String> flags) {
        Path dir = null;
        SparkSession spark = null;
        try {
            dir = Files.createTempDirectory("ldmforge-bench-job");
            Path warmupPrompts = writePrompts(dir.resolve("warmup.jsonl"), WARMUP_IMAGES);
            Path prompts = writePrompts(dir.resolve("prompts.jsonl"), images);
            spark = session.get();
            Path work = dir;
            generate(warmupPrompts, WARMUP_IMAGES, work.resolve("warmup"), flags);
            int[] run = {0};
            Timing t = Timing.measure(0, runs, () -> generate(prompts, images, work.resolve("out-" + run[0]++),
                    flags));
            double bytesPerImage = storedImageBytes(work.resolve("out-0"), flags) / (double) images;
            long start = System.nanoTime();
            generate(prompts, images, work.resolve("out-0"), flags);
            double fixedSeconds = (System.nanoTime() - start) / 1e9;
            return BenchResult.compute(name, "float32", t, Double.NaN, "generate job, " + where + ", warm session, "
                            + images + " images of: " + RuntimeBenchmarks.tinyWorkload() + ", batch size " + BATCH_SIZE
                            + ", " + partitions(images) + " partitions"
                            + "; fixed_overhead_s = the same job rerun with every image present")
                    .withImagesPerS(images * 1000 / t.medianMs())
                    .withExtra("fixed_overhead_s", fixedSeconds).withExtra("bytes_per_image", bytesPerImage);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (spark != null) {
                spark.stop();
            }
            deleteQuietly(dir);
        }
    }

    private static int partitions(int images) {
        return (images + IMAGES_PER_TASK - 1) / IMAGES_PER_TASK;
    }

    private static Path writePrompts(Path file, int images) throws IOException {
        GenerationRequest r = RuntimeBenchmarks.tinyRequest();
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            ObjectNode row = json.createObjectNode().put("request_id", "bench-" + i).put("prompt", r.prompt())
                    .put("negative_prompt", r.negativePrompt()).put("num_inference_steps", r.numInferenceSteps())
                    .put("guidance_scale", r.guidanceScale()).put("width", r.width()).put("height", r.height())
                    .put("seed", r.seed() + i).put("scheduler", r.scheduler());
            lines.add(json.writeValueAsString(row));
        }
        return Files.write(file, lines);
    }

    /** Bytes of the stored images: loose files under images/, tar shards, or the Parquet rows' files. */
    private static long storedImageBytes(Path out, List<String> flags) throws IOException {
        String format = flags.isEmpty() ? "files" : flags.get(1); // --output-format's value
        Path root = out.resolve(switch (format) {
            case "webdataset" -> "shards";
            case "parquet" -> "metadata";
            default -> "images";
        });
        String suffix = format.equals("webdataset") ? ".tar" : format.equals("parquet") ? ".parquet" : "";
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(suffix))
                    .filter(p -> !p.getFileName().toString().startsWith(".")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** The {@code generate} command in the active session (which it reuses and leaves running). */
    private static void generate(Path prompts, int images, Path out, List<String> flags) {
        PrintStream stdout = System.out;
        try {
            System.setOut(new PrintStream(PrintStream.nullOutputStream()));
            List<String> args = new ArrayList<>(List.of("generate", "--model", "tiny", "--prompts",
                    prompts.toString(), "--output", out.toString(), "--batch-size", Integer.toString(BATCH_SIZE),
                    "--partitions", Integer.toString(partitions(images))));
            args.addAll(flags);
            int code = LdmForgeCli.commandLine().execute(args.toArray(String[]::new));
            if (code != 0) {
                throw new IllegalStateException("job benchmark: generate exited " + code);
            }
        } finally {
            System.setOut(stdout);
        }
    }

    static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }
}
