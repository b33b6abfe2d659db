package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.random.TorchGenerator;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.testing.TensorAssert;
import dev.ldmforge.runtime.weights.SafetensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every scheduler against diffusers 0.25.1 ({@code refs/tiny-sd-refs.json}, {@code scheduler_*} cases). Tolerances are
 * the fixture README's: exact int timesteps, 1e-6 relative for float timesteps, sigmas and alphas_cumprod, and for
 * step sequences atol 1e-4 or 2e-6 x max|ref|, whichever is larger.
 */
class SchedulerFixtureTest {
    private static final Map<String, String> NAMES = Map.of("ddim", "ddim", "pndm", "pndm", "ddpm", "ddpm",
            "euler", "euler", "euler_ancestral", "euler-ancestral", "lms", "lms", "dpmpp2m", "dpmpp-2m");
    private static NDManager manager;
    private static SafetensorsFile refs;
    private static JsonNode cases;
    private static JsonConfig modelConfig;

    @BeforeAll
    static void open() throws IOException {
        manager = NDManager.newBaseManager();
        refs = SafetensorsFile.open(Fixtures.path("refs/tiny-sd-refs.safetensors"));
        cases = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build().readTree(Fixtures.path("refs/tiny-sd-refs.json").toFile()).get("cases");
        modelConfig = JsonConfig.read(Fixtures.path("tiny-sd/scheduler/scheduler_config.json"));
    }

    @AfterAll
    static void close() {
        if (refs != null) {
            refs.close();
        }
        if (manager != null) {
            manager.close();
        }
    }

    private static JsonNode caseOf(String id) {
        for (JsonNode c : cases) {
            if (c.get("id").asText().equals("scheduler_" + id)) {
                return c;
            }
        }
        throw new AssertionError("no case scheduler_" + id);
    }

    private static SchedulerFactory factory(String id) {
        return SchedulerFactory.of(modelConfig, NAMES.get(id));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ddim", "pndm", "ddpm", "euler", "euler_ancestral", "lms", "dpmpp2m"})
    void resolvedConfigMatchesDiffusers(String id) {
        JsonNode resolved = caseOf(id).get("resolved_config");
        SchedulerConfig c = factory(id).config();
        assertEquals(resolved.get("class").asText(), c.schedulerClass().className());
        JsonNode expected = resolved.get("config");
        assertEquals(expected.get("num_train_timesteps").asInt(), c.numTrainTimesteps());
        assertEquals(expected.get("beta_start").asDouble(), c.betaStart());
        assertEquals(expected.get("beta_end").asDouble(), c.betaEnd());
        assertEquals(expected.get("beta_schedule").asText(), c.betaSchedule().configName());
        assertEquals(expected.get("prediction_type").asText(), c.predictionType().configName());
        assertEquals(expected.get("timestep_spacing").asText(), c.timestepSpacing().configName());
        assertEquals(expected.get("steps_offset").asInt(), c.stepsOffset());
        if (expected.has("set_alpha_to_one")) {
            assertEquals(expected.get("set_alpha_to_one").asBoolean(), c.setAlphaToOne());
        }
        if (expected.has("clip_sample")) {
            assertEquals(expected.get("clip_sample").asBoolean(), c.clipSample());
        }
        if (expected.has("use_karras_sigmas")) {
            assertEquals(expected.get("use_karras_sigmas").asBoolean(), c.useKarrasSigmas());
        }
        if (expected.has("solver_order")) {
            assertEquals(expected.get("solver_order").asInt(), c.solverOrder());
            assertEquals(expected.get("solver_type").asText(), c.solverType());
            assertEquals(expected.get("lower_order_final").asBoolean(), c.lowerOrderFinal());
        }
        List<String> fromDefaults = new ArrayList<>();
        resolved.get("keys_from_class_defaults").forEach(k -> fromDefaults.add(k.asText()));
        // our names pin their whole algorithm (dpmpp-2m also use_karras_sigmas=false, left to the default there)
        SchedulerName.parse(NAMES.get(id)).overrides().fieldNames().forEachRemaining(fromDefaults::remove);
        List<String> ours = new ArrayList<>(c.keysFromClassDefaults());
        Collections.sort(fromDefaults);
        Collections.sort(ours);
        assertEquals(fromDefaults, ours);
    }

    @Test
    void alphasCumprod() {
        float[] ours = factory("ddim").config().alphasCumprod();
        float[] ref = refs.load("scheduler.alphas_cumprod", manager, DataType.FLOAT32).toFloatArray();
        double diff = assertRelative(ref, ours, 1e-6, "alphas_cumprod");
        System.out.printf("alphas_cumprod max relative diff %.3g%n", diff);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ddim", "pndm", "ddpm", "euler", "euler_ancestral", "lms", "dpmpp2m"})
    void timestepsSigmasAndInitNoiseSigma(String id) {
        JsonNode c = caseOf(id);
        for (int n : new int[] {10, 50}) {
            try (Scheduler s = factory(id).create()) {
                float[] timesteps = s.setTimesteps(n);
                String key = "scheduler." + id + ".n" + n;
                NDArray ref = refs.load(key + ".timesteps", manager, DataType.FLOAT32);
                if (refs.info(key + ".timesteps").dtype().name().equals("I64")) {
                    assertArrayEquals(ref.toFloatArray(), timesteps, 0f, key + ".timesteps");
                } else {
                    assertRelative(ref.toFloatArray(), timesteps, 1e-6, key + ".timesteps");
                }
                if (refs.keys().contains(key + ".sigmas")) {
                    double d = assertRelative(refs.load(key + ".sigmas", manager, DataType.FLOAT32).toFloatArray(),
                            s.sigmas(), 1e-6, key + ".sigmas");
                    System.out.printf("%s.sigmas max relative diff %.3g%n", key, d);
                } else {
                    assertEquals(0, s.sigmas().length);
                }
                assertEquals(c.get("init_noise_sigma_n" + n).asDouble(), s.initNoiseSigma(),
                        1e-6 * c.get("init_noise_sigma_n" + n).asDouble(), key + " init_noise_sigma");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ddim", "pndm", "ddpm", "euler", "euler_ancestral", "lms", "dpmpp2m"})
    void tenStepSequence(String id) {
        JsonNode seq = caseOf(id).get("step_sequence");
        String prefix = "scheduler." + id + ".seq.";
        NDArray sampleIn = refs.load(prefix + "sample_in", manager, DataType.FLOAT32);
        NDArray modelOutput = refs.load(prefix + "model_output", manager, DataType.FLOAT32);
        NDArray scaledRef = refs.load(prefix + "scaled_model_input", manager, DataType.FLOAT32);
        NDArray prevRef = refs.load(prefix + "prev_sample", manager, DataType.FLOAT32);
        NDArray x0Ref = refs.keys().contains(prefix + "pred_original_sample")
                ? refs.load(prefix + "pred_original_sample", manager, DataType.FLOAT32) : null;
        NDArray noiseRef = refs.keys().contains(prefix + "noise")
                ? refs.load(prefix + "noise", manager, DataType.FLOAT32) : null;
        int calls = seq.get("num_step_calls").asInt();
        double[] worst = new double[3];
        try (NDManager run = manager.newSubManager(); Scheduler s = factory(id).create()) {
            assertEquals(calls, s.setTimesteps(seq.get("num_inference_steps").asInt()).length);
            NDArray sample = sampleIn.get(0).duplicate();
            sample.attach(run);
            for (int k = 0; k < calls; k++) {
                int step = k;
                NDArray scaled = s.scaleModelInput(sample, k);
                worst[0] = Math.max(worst[0], check(scaledRef.get(k), scaled, id + " scaled_model_input[" + k + "]"));
                StepOutput out = s.step(modelOutput.get(k), k, sample, () -> noiseRef.get(step));
                worst[1] = Math.max(worst[1], check(prevRef.get(k), out.prevSample(), id + " prev_sample[" + k + "]"));
                if (x0Ref != null) {
                    worst[2] = Math.max(worst[2], check(x0Ref.get(k), out.predOriginalSample(),
                            id + " pred_original_sample[" + k + "]"));
                }
                sample = out.prevSample();
            }
        }
        System.out.printf("%s max |diff|: scaled_model_input %.3g, prev_sample %.3g, pred_original_sample %.3g%n",
                id, worst[0], worst[1], worst[2]);
    }

    /** The step noise, drawn from the recorded generator seed in diffusers' order, is the recorded noise. */
    @ParameterizedTest
    @ValueSource(strings = {"ddpm", "euler_ancestral"})
    void stepNoiseFromTorchGeneratorMatchesRecordedDraws(String id) {
        JsonNode seq = caseOf(id).get("step_sequence");
        NDArray noiseRef = refs.load("scheduler." + id + ".seq.noise", manager, DataType.FLOAT32);
        try (Scheduler s = factory(id).create()) {
            int calls = s.setTimesteps(seq.get("num_inference_steps").asInt()).length;
            List<Shape> shapes = new ArrayList<>();
            for (int k = 0; k < calls; k++) {
                if (s.drawsNoise(k)) {
                    shapes.add(new Shape(1, 4, 8, 8));
                }
            }
            NDList drawn = TorchGenerator.randn(seq.get("generator_seed").asLong(), shapes, manager);
            for (int k = 0; k < drawn.size(); k++) {
                assertArrayEquals(noiseRef.get(k).toFloatArray(), drawn.get(k).toFloatArray(), 0f, id + " noise " + k);
            }
        }
    }

    /**
     * With eta = 1 and epsilon prediction DDIM is DDPM: the same posterior mean and variance, the same draws. Except at
     * the last step (t = 1), where DDIM's final alpha_bar is alphas_cumprod[0] (set_alpha_to_one false), DDPM's 1.
     */
    @Test
    void ddimWithEtaOneReproducesDdpm() {
        String prefix = "scheduler.ddpm.seq.";
        NDArray sampleIn = refs.load(prefix + "sample_in", manager, DataType.FLOAT32);
        NDArray modelOutput = refs.load(prefix + "model_output", manager, DataType.FLOAT32);
        NDArray prevRef = refs.load(prefix + "prev_sample", manager, DataType.FLOAT32);
        NDArray noiseRef = refs.load(prefix + "noise", manager, DataType.FLOAT32);
        try (NDManager run = manager.newSubManager(); Scheduler s = SchedulerFactory.of(modelConfig, "ddim").create(1)) {
            s.setTimesteps(10);
            for (int k = 0; k < 9; k++) {
                int step = k;
                assertTrue(s.drawsNoise(k));
                NDArray in = sampleIn.get(k);
                in.attach(run);
                check(prevRef.get(k), s.step(modelOutput.get(k), k, in, () -> noiseRef.get(step)).prevSample(),
                        "ddim eta=1 prev_sample[" + k + "]");
            }
        }
    }

    /** img2img: the generator's two draws, then DDIM's add_noise at the first run step (t = 376 of 8 steps, 0.6). */
    @Test
    void img2imgNoiseAndAddNoise() {
        NDArray noise = refs.load("img2img.noise", manager, DataType.FLOAT32);
        NDList drawn = TorchGenerator.randn(105, List.of(new Shape(1, 4, 32, 32), new Shape(1, 4, 32, 32)), manager);
        assertArrayEquals(noise.get(0).toFloatArray(), drawn.get(0).toFloatArray(), 0f);
        assertArrayEquals(noise.get(1).toFloatArray(), drawn.get(1).toFloatArray(), 0f);
        NDArray latents = refs.load("img2img.encode_mean", manager, DataType.FLOAT32)
                .add(refs.load("img2img.encode_std", manager, DataType.FLOAT32).mul(drawn.get(0))).mul(0.18215f);
        try (Scheduler s = SchedulerFactory.of(modelConfig, "ddim").create()) {
            float[] timesteps = s.setTimesteps(8);
            int start = Scheduler.img2imgStartIndex(8, 0.6);
            assertArrayEquals(new float[] {376, 251, 126, 1}, Arrays.copyOfRange(timesteps, start, 8));
            NDArray noised = s.addNoise(latents, drawn.get(1), start);
            double diff = TensorAssert.maxAbsDiff(refs.load("img2img.noised_latents", manager, DataType.FLOAT32), noised);
            System.out.printf("img2img noised_latents max |diff| %.3g%n", diff);
            assertTrue(diff <= 1e-3, "img2img noised latents: " + diff);
        }
    }

    /**
     * The txt2img pipelines' scheduler side, fed the recorded UNet outputs: initial latents times init_noise_sigma,
     * scaled UNet inputs, classifier-free guidance at 7.5, steps (fixture tolerance 5e-5 x max|ref| for latents).
     */
    @ParameterizedTest
    @ValueSource(strings = {"ddim", "euler", "dpmpp2m"})
    void pipelineLoopWithRecordedUnetOutputs(String id) {
        String prefix = "pipeline." + id + ".";
        NDArray unetInput = refs.load(prefix + "unet_input", manager, DataType.FLOAT32);
        NDArray noisePred = refs.load(prefix + "unet_noise_pred", manager, DataType.FLOAT32);
        NDArray after = refs.load(prefix + "latents_after_step", manager, DataType.FLOAT32);
        JsonNode params = null;
        for (JsonNode c : cases) {
            if (c.get("id").asText().equals("pipeline_" + id)) {
                params = c.get("params");
            }
        }
        double worst = 0;
        try (NDManager run = manager.newSubManager(); Scheduler s = factory(id).create()) {
            float[] timesteps = s.setTimesteps(8);
            if (params.has("unet_timesteps")) {
                for (int k = 0; k < 8; k++) {
                    assertEquals(params.get("unet_timesteps").get(k).asDouble(), timesteps[k], 1e-6 * 999);
                }
            }
            NDArray latents = refs.load("pipeline.initial_latents", run, DataType.FLOAT32).mul(s.initNoiseSigma());
            for (int k = 0; k < 8; k++) {
                NDArray scaled = s.scaleModelInput(latents, k);
                double atol = 5e-5 * unetInput.get(k).abs().max().getFloat();
                TensorAssert.assertClose(unetInput.get(k).get("0:1"), scaled, atol, id + " unet_input[" + k + "]");
                NDArray uncond = noisePred.get(k).get("0:1");
                NDArray text = noisePred.get(k).get("1:2");
                NDArray guided = uncond.add(text.sub(uncond).mul(7.5f));
                latents = s.step(guided, k, latents, null).prevSample();
                double diff = TensorAssert.maxAbsDiff(after.get(k), latents);
                assertTrue(diff <= 5e-5 * after.get(k).abs().max().getFloat(), id + " latents[" + k + "]: " + diff);
                worst = Math.max(worst, diff);
            }
        }
        System.out.printf("pipeline %s latents_after_step max |diff| %.3g%n", id, worst);
    }

    private static double check(NDArray expected, NDArray actual, String what) {
        double maxRef = expected.abs().max().getFloat();
        double atol = Math.max(1e-4, 2e-6 * maxRef);
        TensorAssert.assertClose(expected, actual, atol, what);
        return TensorAssert.maxAbsDiff(expected, actual);
    }

    private static double assertRelative(float[] expected, float[] actual, double rtol, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) expected[i] - actual[i]);
            double rel = diff == 0 ? 0 : diff / Math.abs(expected[i]);
            assertTrue(rel <= rtol, what + "[" + i + "]: expected " + expected[i] + " got " + actual[i]);
            worst = Math.max(worst, rel);
        }
        return worst;
    }
}
