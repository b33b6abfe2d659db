package dev.ldmforge.runtime.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.weights.SafetensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The few-step txt2img cases of {@code extras-README.md} through the pipeline (tiny-sd, diffusers 0.25.1): the case's
 * initial latents, its generator seed for the step noise, guidance without CFG at or below 1. Image atol 2e-4, PNG
 * ±1 on at most 0.1 %; batched with each other (other schedules, and two images of one schedule in one UNet batch)
 * every image stays within the same tolerance.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FewStepPipelineParityTest {
    private StableDiffusion model;
    private SafetensorsFile refs;
    private NDManager manager;

    @BeforeAll
    void load() {
        model = StableDiffusion.load(Fixtures.path("tiny-sd").toString(), LoadOptions.cpu());
        refs = SafetensorsFile.open(Fixtures.path("refs/tiny-sd-extras-refs.safetensors"));
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    void close() {
        manager.close();
        refs.close();
        model.close();
    }

    private float[] ref(String name) {
        try (NDArray a = refs.load(name, manager, DataType.FLOAT32)) {
            return a.toFloatArray();
        }
    }

    private GenerationRequest request(String id, String scheduler, String spacing, int steps, double guidance,
                                      String negative, long seed) {
        Latents latents = new Latents(new long[] {1, 4, 32, 32}, ref("extras." + id + ".initial_latents"));
        return new GenerationRequest(PipelineParityTest.PROMPT, negative, steps, guidance, 64, 64, seed, 1, scheduler,
                null, null, latents, null, null, spacing, null);
    }

    private static final String CASES = """
            lcm_4_g1, lcm, , 4, 1.0, , 351
            lcm_4_g2, lcm, , 4, 2.0, , 351
            turbo_eulera_trailing_1_g0, euler-ancestral, trailing, 1, 0.0, , 352
            turbo_eulera_trailing_4_g0, euler-ancestral, trailing, 4, 0.0, , 352
            dpmpp2m_karras_10, dpmpp-2m-karras, , 10, 7.5, blurry, 353
            dpmpp2m_trailing_10, dpmpp-2m, trailing, 10, 7.5, blurry, 353""";

    @ParameterizedTest
    @CsvSource(textBlock = CASES)
    void extrasCaseMatchesDiffusers(String id, String scheduler, String spacing, int steps, double guidance,
                                    String negative, long seed) throws IOException {
        ImageOutput out = new StableDiffusionPipeline(model, 1).generate(List.of(request(id, scheduler, spacing,
                steps, guidance, negative, seed)), ProgressListener.NONE).get(0);
        assertMatches(id, out);
    }

    @Test
    void batchedTogetherEveryImageStillMatches() throws IOException {
        List<String> ids = new ArrayList<>();
        List<GenerationRequest> requests = new ArrayList<>();
        for (String line : CASES.split("\n")) {
            String[] f = line.split(",", -1);
            String spacing = f[2].isBlank() ? null : f[2].trim();
            String negative = f[5].isBlank() ? null : f[5].trim();
            GenerationRequest r = request(f[0].trim(), f[1].trim(), spacing, Integer.parseInt(f[3].trim()),
                    Double.parseDouble(f[4].trim()), negative, Long.parseLong(f[6].trim()));
            ids.add(f[0].trim());
            requests.add(r);
            if (f[0].trim().startsWith("turbo")) {
                ids.add(f[0].trim()); // the same request twice: one UNet batch of two text-only images
                requests.add(r);
            }
        }
        List<ImageOutput> outs = new StableDiffusionPipeline(model, 4).generate(requests, ProgressListener.NONE);
        for (int i = 0; i < outs.size(); i++) {
            assertMatches(ids.get(i), outs.get(i));
        }
    }

    private void assertMatches(String id, ImageOutput out) throws IOException {
        assertTrue(out.ok(), String.valueOf(out.failure()));
        double diff = PipelineParityTest.maxAbsDiff(ref("extras." + id + ".image"), out.pixels());
        assertTrue(diff <= PipelineParityTest.IMAGE_ATOL, id + ": image max |diff| " + diff);
        PipelineParityTest.assertPngMatches(Fixtures.path("refs/tiny-sd-extras-" + id + ".png"), out.image());
    }
}
