package dev.ldmforge.runtime.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A benchmark run: the machine, then each result with its roofline ratio against the run's own matmul. */
public record BenchReport(MachineInfo machine, List<BenchResult> results, double loadAverageAtEnd) {

    /**
     * Runs {@code benchmarks} in order ({@code matmul} must come first: every ratio refers to it), telling
     * {@code progress} about each result as it completes.
     */
    public static BenchReport run(MachineInfo machine, List<Benchmark> benchmarks, int runs,
            Consumer<BenchResult> progress) {
        List<BenchResult> results = new ArrayList<>();
        double matmulGflops = 0;
        for (Benchmark b : benchmarks) {
            BenchResult r = b.run(runs);
            if (r.name().equals("matmul")) {
                matmulGflops = r.gflops();
            }
            r = r.withRoofline(matmulGflops);
            results.add(r);
            progress.accept(r);
        }
        return new BenchReport(machine, List.copyOf(results), MachineInfo.currentLoadAverage());
    }

    public Map<String, Object> toJson() {
        Map<String, Object> machineJson = new LinkedHashMap<>(machine.toJson());
        machineJson.put("load_average_1m_at_end", loadAverageAtEnd);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("machine", machineJson);
        out.put("results", results.stream().map(BenchResult::toJson).toList());
        return out;
    }

    /** One aligned line of the terminal table. */
    public static String line(BenchResult r) {
        StringBuilder s = new StringBuilder(String.format("%-24s %-8s %11.1f ms", r.name(), r.dtype(),
                r.medianMs()));
        if (r.gflops() != null) {
            s.append(String.format("  %7.1f GFLOP/s", r.gflops()));
        }
        if (r.rooflineRatio() != null) {
            s.append(String.format("  %5.1f%% of matmul", 100 * r.rooflineRatio()));
        }
        if (r.imagesPerS() != null) {
            s.append(String.format("  %.3f images/s", r.imagesPerS()));
        }
        if (r.gbPerS() != null) {
            s.append(String.format("  %.2f GB/s, peak RSS %d MiB", r.gbPerS(), r.peakRssBytes() / (1024 * 1024)));
        }
        return s.toString();
    }
}
