package dev.ldmforge.runtime.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchResultTest {

    private static BenchResult job() {
        Timing t = new Timing(new double[] {40_000, 38_000, 42_000}, new double[] {0, 0, 0});
        return BenchResult.compute("job-tiny", "float32", t, Double.NaN, "job").withImagesPerS(96 * 1000 / 40_000.0);
    }

    @Test
    void extrasAreWrittenUnderTheirKeysAndSurviveLaterFigures() {
        BenchResult r = job().withExtra("fixed_overhead_s", 1.23456).withExtra("of_pipeline", 0.97)
                .withExtra("scaling", Double.NaN).withLoadAverage(1.5).withRoofline(170);
        Map<String, Object> json = r.toJson();
        assertEquals(1.235, json.get("fixed_overhead_s"));
        assertEquals(0.97, json.get("of_pipeline"));
        assertFalse(json.containsKey("scaling"), "NaN figures are left out");
        assertEquals(2.4, json.get("images_per_s"));
        assertEquals(List.of("name", "dtype", "median_ms", "runs_ms", "images_per_s", "load_average_1m",
                "fixed_overhead_s", "of_pipeline", "what"), List.copyOf(json.keySet()));
    }

    @Test
    void reportLineShowsExtras() {
        String line = BenchReport.line(job().withExtra("peak_mib_above_weights", 2048).withExtra("scaling", 1.8512));
        assertTrue(line.endsWith("peak_mib_above_weights=2048  scaling=1.851"), line);
    }

    @Test
    void memoryProbeOutputIsParsedAsMib() {
        assertEquals(2.0, MemoryProbe.parse("some log\nabove_weights_kb=2048\n"));
    }
}
