package dev.ldmforge.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ldmforge.jobs.bench.JobBenchmark;
import dev.ldmforge.jobs.bench.SoakBenchmark;
import dev.ldmforge.runtime.bench.BenchReport;
import dev.ldmforge.runtime.bench.Benchmark;
import dev.ldmforge.runtime.bench.MachineInfo;
import dev.ldmforge.runtime.bench.RuntimeBenchmarks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure the runtime on this machine: real-size SD networks (random weights), the tiny model "
                + "end to end, model loading, and the matmul/conv roofline they are compared with.",
            "Each figure is the median of --runs timed calls after warm-up. Run on an otherwise idle machine: the "
                + "1-minute load average is printed with the figures."},
        footer = {"", "Examples:",
            "  ./ldmforge bench --quick",
            "  ./ldmforge bench --json bench.json --runs 5",
            "  ./ldmforge bench --only matmul,unet-sd15-64x64-b2 --threads 2"})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--quick", description = "about three minutes: matmul, conv, unet-sd15-64x64-b2, pipeline-tiny "
            + "and job-tiny (the cluster benchmarks job-tiny-1-executor and job-tiny-2-executors run without it)")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "also write {\"machine\": {...}, \"results\": [...]}")
    Path json;

    @Option(names = "--threads", paramLabel = "N", description = "libtorch intra-op threads (default: one per "
            + "logical CPU)")
    Integer threads;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "3", description = "timed calls per benchmark "
            + "(default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--only", paramLabel = "NAMES", split = ",", description = "run only these benchmarks "
            + "(matmul always runs first: the ratios refer to it)")
    Set<String> only;

    @Option(names = "--soak-images", paramLabel = "N", defaultValue = "" + SoakBenchmark.DEFAULT_IMAGES,
            description = "images of the soak-tiny run, which runs only when --only names it (RSS sampled every "
                    + "10 s; default: ${DEFAULT-VALUE})")
    int soakImages;

    @Override
    public Integer call() throws Exception {
        if (runs < 1 || (threads != null && threads < 1) || soakImages < 1) {
            throw new CliErrors.UsageException("--runs, --threads and --soak-images must be at least 1");
        }
        if (threads != null) {
            RuntimeBenchmarks.setThreads(threads);
        }
        try (RuntimeBenchmarks runtime = new RuntimeBenchmarks()) {
            double[] pipelineImagesPerS = {Double.NaN};
            List<Benchmark> all = new ArrayList<>(runtime.list());
            all.addAll(JobBenchmark.benchmarks(() -> pipelineImagesPerS[0]));
            all.add(SoakBenchmark.benchmark(() -> soakImages));
            List<String> names = all.stream().map(Benchmark::name).toList();
            if (only != null && !names.containsAll(only)) {
                throw new CliErrors.UsageException("--only: unknown benchmark(s) " + only.stream()
                        .filter(n -> !names.contains(n)).toList() + "; known: " + String.join(", ", names));
            }
            List<Benchmark> selected = all.stream().filter(b -> b.name().equals("matmul")
                    || (only != null ? only.contains(b.name())
                    : (!quick || b.quick()) && !b.name().equals(SoakBenchmark.NAME))).toList();
            MachineInfo machine = MachineInfo.detect();
            System.out.println(machine.describe());
            System.out.println("dtype: float32 (CPU); runs: " + runs + " after warm-up; "
                    + selected.stream().map(Benchmark::name).toList());
            BenchReport report = BenchReport.run(machine, selected, runs, r -> {
                if (r.name().equals("pipeline-tiny")) {
                    pipelineImagesPerS[0] = r.imagesPerS();
                }
                System.out.println(BenchReport.line(r));
            });
            System.out.println("load average (1 min) at end: " + report.loadAverageAtEnd());
            if (json != null) {
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(),
                        report.toJson());
                System.out.println("wrote " + json);
            }
        }
        return 0;
    }
}
