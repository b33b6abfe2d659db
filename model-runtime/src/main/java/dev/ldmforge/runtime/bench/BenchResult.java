package dev.ldmforge.runtime.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One benchmark's figures. Optional figures are null when they do not apply: {@code gflops} needs a FLOP count,
 * {@code rooflineRatio} is gflops over the same run's matmul GFLOP/s, {@code imagesPerS} for image generation,
 * {@code gbPerS} and {@code peakRssBytes} for model loading; {@code extras} are a benchmark's own figures, written
 * to JSON under their keys (e.g. {@code peak_mib_above_weights}, {@code fixed_overhead_s}, {@code scaling}).
 */
public record BenchResult(String name, String dtype, Timing timing, Double gflops, Double rooflineRatio,
                          Double imagesPerS, Double gbPerS, Long peakRssBytes, Double loadAverage, String what,
                          Map<String, Number> extras) {

    /** A timed computation of {@code flops} floating-point operations per call (NaN: not defined). */
    public static BenchResult compute(String name, String dtype, Timing timing, double flops, String what) {
        Double gflops = Double.isNaN(flops) ? null : flops / timing.medianMs() / 1e6;
        return new BenchResult(name, dtype, timing, gflops, null, null, null, null, null, what, Map.of());
    }

    public BenchResult withImagesPerS(double value) {
        return new BenchResult(name, dtype, timing, gflops, rooflineRatio, value, gbPerS, peakRssBytes, loadAverage,
                what, extras);
    }

    public BenchResult withLoad(double gigabytesPerS, long peakRss) {
        return new BenchResult(name, dtype, timing, gflops, rooflineRatio, imagesPerS, gigabytesPerS, peakRss,
                loadAverage, what, extras);
    }

    public BenchResult withRoofline(double matmulGflops) {
        Double ratio = gflops == null || matmulGflops <= 0 ? null : gflops / matmulGflops;
        return new BenchResult(name, dtype, timing, gflops, ratio, imagesPerS, gbPerS, peakRssBytes, loadAverage,
                what, extras);
    }

    /**
     * FLOPs per second of this process's CPU time (all threads): unlike GFLOP/s, it does not drop when other
     * processes take the cores, so its ratio to the matmul's holds up on a busy machine.
     */
    public Double gflopsPerCpuSecond() {
        double cpu = timing.medianCpuMs();
        return gflops == null || cpu <= 0 ? null : gflops * timing.medianMs() / cpu;
    }

    /** The 1-minute load average when the measurement ended. */
    public BenchResult withLoadAverage(double value) {
        return new BenchResult(name, dtype, timing, gflops, rooflineRatio, imagesPerS, gbPerS, peakRssBytes, value,
                what, extras);
    }

    /** This result's timing extended by more runs of the same computation (gflops recomputed). */
    public BenchResult withMoreRuns(Timing more) {
        Timing merged = timing.plus(more);
        Double scaled = gflops == null ? null : gflops * timing.medianMs() / merged.medianMs();
        return new BenchResult(name, dtype, merged, scaled, rooflineRatio, imagesPerS, gbPerS, peakRssBytes,
                loadAverage, what, extras);
    }

    /** This result with one more benchmark-specific figure (NaN: left out). */
    public BenchResult withExtra(String key, double value) {
        if (Double.isNaN(value)) {
            return this;
        }
        Map<String, Number> more = new LinkedHashMap<>(extras);
        more.put(key, value);
        return new BenchResult(name, dtype, timing, gflops, rooflineRatio, imagesPerS, gbPerS, peakRssBytes,
                loadAverage, what, java.util.Collections.unmodifiableMap(more));
    }

    public double medianMs() {
        return timing.medianMs();
    }

    /** The JSON object of the report's {@code results} array (snake_case, absent figures left out). */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("dtype", dtype);
        out.put("median_ms", round(medianMs()));
        out.put("runs_ms", java.util.Arrays.stream(timing.runsMs()).map(BenchResult::round).toArray());
        if (timing.medianCpuMs() > 0) {
            out.put("median_cpu_ms", round(timing.medianCpuMs()));
        }
        putIfPresent(out, "gflops", gflops);
        putIfPresent(out, "roofline_ratio", rooflineRatio == null ? null : Math.round(rooflineRatio * 1000) / 1000.0);
        putIfPresent(out, "gflops_per_cpu_s", gflopsPerCpuSecond());
        putIfPresent(out, "images_per_s", imagesPerS);
        putIfPresent(out, "gb_per_s", gbPerS);
        if (peakRssBytes != null) {
            out.put("peak_rss_mb", peakRssBytes / (1024 * 1024));
        }
        putIfPresent(out, "load_average_1m", loadAverage);
        extras.forEach((k, v) -> out.put(k, round(v.doubleValue())));
        out.put("what", what);
        return out;
    }

    private static void putIfPresent(Map<String, Object> out, String key, Double value) {
        if (value != null) {
            out.put(key, round(value));
        }
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
