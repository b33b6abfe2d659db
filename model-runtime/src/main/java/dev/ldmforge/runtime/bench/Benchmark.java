package dev.ldmforge.runtime.bench;

import java.util.function.IntFunction;

/**
 * One named measurement: {@code body} warms up, then times {@code runs} calls. The {@code quick} ones make up
 * {@code ldmforge bench --quick}.
 */
public record Benchmark(String name, boolean quick, IntFunction<BenchResult> body) {

    public BenchResult run(int runs) {
        return body.apply(runs);
    }
}
