package dev.ldmforge.runtime.bench;

import dev.ldmforge.runtime.pipeline.GenerationRequest;
import dev.ldmforge.runtime.pipeline.LoadOptions;
import dev.ldmforge.runtime.pipeline.ProgressListener;
import dev.ldmforge.runtime.pipeline.StableDiffusion;
import dev.ldmforge.runtime.pipeline.StableDiffusionPipeline;

import java.util.List;

/**
 * Images/s of the tiny pipeline at the schedules issue 17 compares: 50-step DDIM (diffusers' default), 25-step DPM++
 * 2M Karras, 4-step LCM at guidance 1 and the 1-step turbo schedule at guidance 0 (the last two without CFG, so one
 * UNet batch per step instead of two). Not in {@code --quick}.
 */
final class FewStepBenchmarks {
    private static final String PROMPT = "a red circle on a blue background";
    private static final long SEED = 1234;

    private FewStepBenchmarks() {
    }

    static List<Benchmark> list() {
        return List.of(
                benchmark("pipeline-tiny-ddim-50", "ddim", null, 50, 7.5),
                benchmark("pipeline-tiny-dpmpp-2m-karras-25", "dpmpp-2m-karras", null, 25, 7.5),
                benchmark("pipeline-tiny-lcm-4", "lcm", null, 4, 1.0),
                benchmark("pipeline-tiny-turbo-1", "euler-ancestral", "trailing", 1, 0.0));
    }

    private static Benchmark benchmark(String name, String scheduler, String spacing, int steps, double guidance) {
        GenerationRequest request = new GenerationRequest(PROMPT, "blurry", steps, guidance, 64, 64, SEED, 1,
                scheduler, null, null, null, null, null, spacing, null);
        String workload = "tiny model, 64x64, " + scheduler + (spacing == null ? "" : " " + spacing) + " " + steps
                + " steps, guidance " + guidance + (request.doClassifierFreeGuidance() ? " (UNet batch 2)"
                : " (no CFG: UNet batch 1)") + ", VAE decode";
        return new Benchmark(name, false, runs -> {
            try (StableDiffusion tiny = StableDiffusion.load("tiny", LoadOptions.cpu())) {
                StableDiffusionPipeline pipeline = new StableDiffusionPipeline(tiny, 1);
                Timing t = Timing.measure(1, runs, () -> pipeline.generate(List.of(request), ProgressListener.NONE));
                return BenchResult.compute(name, "float32", t, Double.NaN, workload)
                        .withImagesPerS(1000 / t.medianMs());
            }
        });
    }
}
