package dev.ldmforge.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ldmforge.jobs.cli.LdmForgeCli;
import dev.ldmforge.runtime.bench.BenchResult;
import dev.ldmforge.runtime.bench.Benchmark;
import dev.ldmforge.runtime.bench.RuntimeBenchmarks;
import dev.ldmforge.runtime.bench.Timing;
import dev.ldmforge.runtime.pipeline.GenerationRequest;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code job-tiny}: the batch job in Spark local mode over {@value #IMAGES} copies of pipeline-tiny's request
 * (distinct ids and seeds), so its images/s compares with pipeline-tiny's. Timed over the whole job, Spark planning
 * and commits included, so short runs understate the job's steady-state rate.
 */
public final class JobBenchmark {
    static final int IMAGES = 24;

    private JobBenchmark() {
    }

    public static Benchmark benchmark() {
        return new Benchmark("job-tiny", true, JobBenchmark::run);
    }

    private static BenchResult run(int runs) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("ldmforge-bench-job");
            Path prompts = writePrompts(dir);
            Path work = dir;
            int[] run = {0};
            Timing t = Timing.measure(0, runs, () -> generate(prompts, work.resolve("out-" + run[0]++)));
            return BenchResult.compute("job-tiny", "float32", t, Double.NaN, "generate job, local[*], "
                    + IMAGES + " images of: " + RuntimeBenchmarks.tinyWorkload() + ", batch size 4")
                    .withImagesPerS(IMAGES * 1000 / t.medianMs());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static Path writePrompts(Path dir) throws IOException {
        GenerationRequest r = RuntimeBenchmarks.tinyRequest();
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            ObjectNode row = json.createObjectNode().put("request_id", "bench-" + i).put("prompt", r.prompt())
                    .put("negative_prompt", r.negativePrompt()).put("num_inference_steps", r.numInferenceSteps())
                    .put("guidance_scale", r.guidanceScale()).put("width", r.width()).put("height", r.height())
                    .put("seed", r.seed() + i).put("scheduler", r.scheduler());
            lines.add(json.writeValueAsString(row));
        }
        return Files.write(dir.resolve("prompts.jsonl"), lines);
    }

    private static void generate(Path prompts, Path out) {
        PrintStream stdout = System.out;
        try {
            System.setOut(new PrintStream(PrintStream.nullOutputStream()));
            int code = LdmForgeCli.commandLine().execute("generate", "--prompts", prompts.toString(), "--output",
                    out.toString(), "--batch-size", "4");
            if (code != 0) {
                throw new IllegalStateException("job-tiny: generate exited " + code);
            }
        } finally {
            System.setOut(stdout);
        }
    }

    private static void deleteQuietly(Path dir) {
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
