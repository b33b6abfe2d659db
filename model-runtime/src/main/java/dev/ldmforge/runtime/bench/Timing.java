package dev.ldmforge.runtime.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * Times of repeated calls after warm-up: wall clock, which the figures are computed from, and this process's CPU
 * time over the same calls. On a shared machine CPU time below threads × wall time shows the process was starved.
 */
public record Timing(double[] runsMs, double[] cpuMs) {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** Calls {@code body} {@code warmups} times untimed, then {@code runs} times timed. */
    public static Timing measure(int warmups, int runs, Runnable body) {
        for (int i = 0; i < warmups; i++) {
            body.run();
        }
        double[] ms = new double[runs];
        double[] cpu = new double[runs];
        for (int i = 0; i < runs; i++) {
            long cpuStart = OS.getProcessCpuTime();
            long start = System.nanoTime();
            body.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
            cpu[i] = (OS.getProcessCpuTime() - cpuStart) / 1e6;
        }
        return new Timing(ms, cpu);
    }

    public double medianMs() {
        return median(runsMs);
    }

    public double medianCpuMs() {
        return median(cpuMs);
    }

    /** This timing followed by {@code more}. */
    public Timing plus(Timing more) {
        return new Timing(concat(runsMs, more.runsMs), concat(cpuMs, more.cpuMs));
    }

    private static double[] concat(double[] a, double[] b) {
        double[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
