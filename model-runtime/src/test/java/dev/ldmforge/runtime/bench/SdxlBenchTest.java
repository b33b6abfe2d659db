package dev.ldmforge.runtime.bench;

import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.unet.UNet2DConditionConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SDXL benchmarks' code path on a scaled-down SDXL-style model (tiny-sdxl's configs stand in for SDXL base,
 * whose 10.3 GB float32 UNet is not run in the suite): the UNet step with pooled text embeddings and time ids, the
 * VAE decode, and the child-JVM memory probe of both.
 */
class SdxlBenchTest {

    @Test
    void sdxlEntriesAreListedOutsideQuick() {
        try (RuntimeBenchmarks benchmarks = new RuntimeBenchmarks()) {
            List<Benchmark> all = benchmarks.list();
            for (String name : List.of("unet-sdxl-128x128-b2", "vae-decode-sdxl-128x128")) {
                Benchmark b = all.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
                assertFalse(b.quick(), name + " is too big for --quick");
            }
        }
    }

    @Test
    void scaledDownSdxlStepDecodeAndMemoryProbeRun() {
        String tiny = Fixtures.path("tiny-sdxl").toString();
        try (RuntimeBenchmarks benchmarks = new RuntimeBenchmarks()) {
            BenchResult unet = benchmarks.withPeakMemory(benchmarks.unet(tiny, 16, 2, 1),
                    new MemoryProbe.Call(tiny, "unet", 16, 2));
            assertEquals("unet-tiny-sdxl-16x16-b2", unet.name());
            assertTrue(unet.gflops() > 0, unet.toString());
            assertTrue(unet.what().contains("time_ids"), unet.what());
            assertTrue(unet.extras().get("peak_mib_above_weights").longValue() >= 0, unet.toString());
            BenchResult vae = benchmarks.withPeakMemory(benchmarks.vaeDecode(tiny, 16, 1),
                    new MemoryProbe.Call(tiny, "vae", 16, 1));
            assertEquals("vae-decode-tiny-sdxl-16x16", vae.name());
            assertTrue(vae.extras().containsKey("peak_mib_above_weights"), vae.toString());
        }
    }

    /** SDXL base at 1024x1024: the analytic count the bench divides by, linear in the batch. */
    @Test
    void sdxlBaseUnetFlops() {
        UNet2DConditionConfig xl = UNet2DConditionConfig.from(ReferenceConfigs.config(ReferenceConfigs.SDXL_BASE,
                "unet"));
        double one = NetworkFlops.unet(xl, 1, 128, 128, 77);
        assertEquals(2 * one, NetworkFlops.unet(xl, 2, 128, 128, 77), 1e-6 * one);
        System.out.printf("SDXL base UNet, one 128x128 latent: %.1f GFLOP%n", one / 1e9);
        assertTrue(one > 4 * 803e9, "far more work than an SD 1.5 latent: " + one / 1e9);
    }
}
