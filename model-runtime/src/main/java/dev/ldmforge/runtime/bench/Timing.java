package dev.ldmforge.runtime.bench;

import java.util.Arrays;

/** Wall-clock times of repeated calls after warm-up; the median is the figure reported. */
public record Timing(double[] runsMs) {

    /** Calls {@code body} {@code warmups} times untimed, then {@code runs} times timed. */
    public static Timing measure(int warmups, int runs, Runnable body) {
        for (int i = 0; i < warmups; i++) {
            body.run();
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            body.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        return new Timing(ms);
    }

    public double medianMs() {
        double[] sorted = runsMs.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
