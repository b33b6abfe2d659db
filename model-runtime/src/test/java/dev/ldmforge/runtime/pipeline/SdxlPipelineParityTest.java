package dev.ldmforge.runtime.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.testing.TensorAssert;
import dev.ldmforge.runtime.weights.SafetensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tiny-sdxl against diffusers 0.25.1 (tiny-sdxl-README): encode_prompt with a negative prompt, an explicit "" and
 * an absent one (zeros, force_zeros_for_empty_prompt), add_time_ids, and the pipelines from their seeds
 * ({@code SdxlCliTest} runs them all, from seeds and latents, and img2img through the command line). Fixture
 * tolerances: text encoder outputs atol 5e-5, time ids exact, images atol 2e-4 and PNG ±1 on ≤ 0.1 % of values.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdxlPipelineParityTest {
    static final String PROMPT = "a red cube on a wooden table";
    private static final double EMBEDS_ATOL = 5e-5;

    private StableDiffusion model;
    private SafetensorsFile refs;
    private NDManager manager;

    @BeforeAll
    void load() {
        model = StableDiffusion.load(Fixtures.path("tiny-sdxl").toString(), LoadOptions.cpu());
        refs = SafetensorsFile.open(Fixtures.path("refs/tiny-sdxl-refs.safetensors"));
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    void close() {
        manager.close();
        refs.close();
        model.close();
    }

    @Test
    void modelInfo() {
        assertEquals("SDXL", model.info().family());
        assertEquals(64, model.info().defaultWidth(), "sample_size 32 x VAE scale factor 2");
        assertEquals("EulerDiscreteScheduler", model.info().schedulerClass());
    }

    @ParameterizedTest
    @CsvSource(value = {"0, blurry", "1, ''", "2, NULL"}, nullValues = "NULL")
    void encodePromptMatchesDiffusers(int index, String negative) {
        GenerationRequest r = new GenerationRequest(PROMPT, negative, 8, 5.0, 64, 64, 0, 1, null, null, null, null);
        try (NDManager m = manager.newSubManager()) {
            Conditioning c = model.promptEncoder().encode(List.of(r), true, m);
            String p = "encode_prompt_" + index + ".";
            NDArray hidden = c.encoderHiddenStates();
            NDArray pooled = c.added().textEmbeds();
            check(p + "negative_prompt_embeds", hidden.get("0:1"));
            check(p + "prompt_embeds", hidden.get("1:2"));
            check(p + "negative_pooled_prompt_embeds", pooled.get("0:1"));
            check(p + "pooled_prompt_embeds", pooled.get("1:2"));
            if (negative == null) {
                assertEquals(0f, hidden.get("0:1").abs().max().getFloat(), "absent negative prompt: zeros");
                assertEquals(0f, pooled.get("0:1").abs().max().getFloat(), "absent negative prompt: zeros");
            }
            float[] defaults = refs.load("add_time_ids_0.time_ids", m, DataType.FLOAT32).toFloatArray();
            float[] rows = c.added().timeIds().toFloatArray();
            assertArrayEquals(defaults, java.util.Arrays.copyOfRange(rows, 0, 6), "negative row time ids");
            assertArrayEquals(defaults, java.util.Arrays.copyOfRange(rows, 6, 12), "prompt row time ids");
        }
    }

    private void check(String name, NDArray actual) {
        NDArray expected = refs.load(name, actual.getManager(), DataType.FLOAT32);
        System.out.printf("%s max|diff| %.3g%n", name, TensorAssert.maxAbsDiff(expected, actual));
        TensorAssert.assertClose(expected, actual, EMBEDS_ATOL, name);
    }

    @Test
    void addTimeIdsMatchDiffusers() {
        try (NDManager m = manager.newSubManager()) {
            assertArrayEquals(refs.load("add_time_ids_0.time_ids", m, DataType.FLOAT32).toFloatArray(),
                    MicroConditioning.defaults(64, 64).timeIds());
            assertArrayEquals(refs.load("add_time_ids_1.time_ids", m, DataType.FLOAT32).toFloatArray(),
                    new MicroConditioning(1024, 768, 16, 32, 512, 640).timeIds());
        }
    }

    @ParameterizedTest
    @CsvSource({"euler, euler, 302, 5.0", "no_cfg, euler, 304, 1.0"})
    void txt2imgFromTheSeedMatchesDiffusers(String run, String scheduler, long seed, double guidance)
            throws IOException {
        GenerationRequest r = new GenerationRequest(PROMPT, "blurry", 8, guidance, 64, 64, seed, 1, scheduler, null,
                null, null);
        ImageOutput out = new StableDiffusionPipeline(model, 1).generate(List.of(r), ProgressListener.NONE).get(0);
        assertTrue(out.ok(), String.valueOf(out.failure()));
        float[] expected;
        try (NDManager m = manager.newSubManager()) {
            expected = refs.load("pipeline." + run + ".image", m, DataType.FLOAT32).toFloatArray();
        }
        double diff = PipelineParityTest.maxAbsDiff(expected, out.pixels());
        System.out.printf("pipeline.%s.image max|diff| %.3g%n", run, diff);
        assertTrue(diff <= PipelineParityTest.IMAGE_ATOL, run + ": image max |diff| " + diff);
        PipelineParityTest.assertPngMatches(Fixtures.path("refs/tiny-sdxl-" + run + ".png"), out.image());
    }
}
