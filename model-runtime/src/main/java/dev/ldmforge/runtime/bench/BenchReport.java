package dev.ldmforge.runtime.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A benchmark run: the machine, then each result with its roofline ratio against the run's own matmul. */
public record BenchReport(MachineInfo machine, List<BenchResult> results, double loadAverageAtEnd) {

    /**
     * Runs {@code benchmarks} in order, telling {@code progress} about each result as it completes. The first must be
     * {@code matmul}, the roofline every ratio refers to: it runs again after each other benchmark and its figure is
     * the median over all those runs, so that the ratios hold up when the machine's load drifts during the run.
     */
    public static BenchReport run(MachineInfo machine, List<Benchmark> benchmarks, int runs,
            Consumer<BenchResult> progress) {
        Benchmark roofline = benchmarks.get(0);
        if (!roofline.name().equals("matmul")) {
            throw new IllegalArgumentException("the first benchmark must be matmul, was " + roofline.name());
        }
        BenchResult matmul = roofline.run(runs).withLoadAverage(MachineInfo.currentLoadAverage());
        progress.accept(matmul.withRoofline(matmul.gflops()));
        List<BenchResult> others = new ArrayList<>();
        for (Benchmark b : benchmarks.subList(1, benchmarks.size())) {
            BenchResult r = b.run(runs).withLoadAverage(MachineInfo.currentLoadAverage());
            matmul = matmul.withMoreRuns(roofline.run(1).timing());
            progress.accept(r.withRoofline(matmul.gflops()));
            others.add(r);
        }
        List<BenchResult> results = new ArrayList<>();
        results.add(matmul.withRoofline(matmul.gflops()));
        for (BenchResult r : others) {
            results.add(r.withRoofline(matmul.gflops()));
        }
        return new BenchReport(machine, List.copyOf(results), MachineInfo.currentLoadAverage());
    }

    /** The matmul's GFLOP per CPU-second: the reference for {@code cpu_roofline_ratio}. */
    private Double matmulPerCpuSecond() {
        return results.get(0).gflopsPerCpuSecond();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> machineJson = new LinkedHashMap<>(machine.toJson());
        machineJson.put("load_average_1m_at_end", loadAverageAtEnd);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("machine", machineJson);
        Double reference = matmulPerCpuSecond();
        out.put("results", results.stream().map(r -> {
            Map<String, Object> json = r.toJson();
            Double perCpu = r.gflopsPerCpuSecond();
            if (perCpu != null && reference != null) {
                json.put("cpu_roofline_ratio", Math.round(perCpu / reference * 1000) / 1000.0);
            }
            return json;
        }).toList());
        return out;
    }

    /** One aligned line of the terminal table. */
    public static String line(BenchResult r) {
        StringBuilder s = new StringBuilder(String.format("%-24s %-8s %11.1f ms", r.name(), r.dtype(), r.medianMs()));
        if (r.timing().medianCpuMs() > 0) {
            s.append(String.format(" (cpu %.0f ms)", r.timing().medianCpuMs()));
        }
        if (r.gflops() != null) {
            s.append(String.format("  %7.1f GFLOP/s", r.gflops()));
        }
        if (r.rooflineRatio() != null) {
            s.append(String.format("  %5.1f%% of matmul", 100 * r.rooflineRatio()));
        }
        if (r.gflopsPerCpuSecond() != null) {
            s.append(String.format("  [%.1f GFLOP/cpu-s]", r.gflopsPerCpuSecond()));
        }
        if (r.imagesPerS() != null) {
            s.append(String.format("  %.3f images/s", r.imagesPerS()));
        }
        if (r.loadAverage() != null) {
            s.append(String.format("  (load %.1f)", r.loadAverage()));
        }
        r.extras().forEach((key, value) -> {
            double v = value.doubleValue();
            s.append("  ").append(key).append('=').append(v == Math.rint(v) && Math.abs(v) < 1e15
                    ? Long.toString((long) v) : String.format("%.3f", v));
        });
        if (r.gbPerS() != null) {
            s.append(String.format("  %.2f GB/s, peak RSS %d MiB", r.gbPerS(), r.peakRssBytes() / (1024 * 1024)));
        }
        return s.toString();
    }
}
