package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.random.TorchGenerator;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.testing.TensorAssert;
import dev.ldmforge.runtime.weights.SafetensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The few-step schedules against diffusers 0.25.1 ({@code refs/tiny-sd-extras-refs.*}, extras-README.md): LCM,
 * Euler ancestral with trailing spacing, DPM++ 2M with Karras sigmas and with trailing spacing. Timesteps exactly,
 * sigmas and init_noise_sigma to 1e-6 relative, and each txt2img case's scheduler side (fed the recorded UNet outputs
 * and step noise) to 5e-5 x max|ref| as the fixtures' pipeline latents.
 */
class FewStepSchedulerFixtureTest {
    private static NDManager manager;
    private static SafetensorsFile refs;
    private static JsonNode cases;
    private static JsonConfig modelConfig;

    @BeforeAll
    static void open() throws IOException {
        manager = NDManager.newBaseManager();
        refs = SafetensorsFile.open(Fixtures.path("refs/tiny-sd-extras-refs.safetensors"));
        cases = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                .readTree(Fixtures.path("refs/tiny-sd-extras-refs.json").toFile()).get("cases");
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
            if (c.get("id").asText().equals(id)) {
                return c;
            }
        }
        throw new AssertionError("no case " + id);
    }

    private static SchedulerFactory factory(String name, String spacing) {
        return SchedulerFactory.of(modelConfig, name, spacing.isEmpty() ? null : spacing, null);
    }

    @ParameterizedTest
    @CsvSource({
            "scheduler_lcm_n4, lcm, '', 4, scheduler.lcm.n4",
            "scheduler_eulera_trailing_n1, euler-ancestral, trailing, 1, scheduler.eulera_trailing.n1",
            "scheduler_eulera_trailing_n4, euler-ancestral, trailing, 4, scheduler.eulera_trailing.n4",
            "scheduler_dpmpp2m_karras_n10, dpmpp-2m-karras, '', 10, scheduler.dpmpp2m_karras.n10",
            "scheduler_dpmpp2m_trailing_n10, dpmpp-2m, trailing, 10, scheduler.dpmpp2m_trailing.n10"})
    void timestepsSigmasAndConfig(String id, String name, String spacing, int n, String key) {
        JsonNode c = caseOf(id);
        SchedulerFactory f = factory(name, spacing);
        JsonNode expected = c.get("resolved_config").get("config");
        assertEquals(c.get("resolved_config").get("class").asText(), f.config().schedulerClass().className());
        assertEquals(expected.get("timestep_spacing").asText(), f.config().timestepSpacing().configName());
        assertEquals(expected.get("steps_offset").asInt(), f.config().stepsOffset());
        if (expected.has("use_karras_sigmas")) {
            assertEquals(expected.get("use_karras_sigmas").asBoolean(), f.config().useKarrasSigmas());
        }
        if (expected.has("original_inference_steps")) {
            assertEquals(expected.get("original_inference_steps").asInt(), f.config().originalInferenceSteps());
            assertEquals(expected.get("timestep_scaling").asDouble(), f.config().timestepScaling());
            assertEquals(expected.get("set_alpha_to_one").asBoolean(), f.config().setAlphaToOne());
            List<String> fromDefaults = new ArrayList<>();
            c.get("resolved_config").get("keys_from_class_defaults").forEach(k -> fromDefaults.add(k.asText()));
            List<String> ours = new ArrayList<>(f.config().keysFromClassDefaults());
            Collections.sort(fromDefaults);
            Collections.sort(ours);
            assertEquals(fromDefaults, ours);
        }
        try (Scheduler s = f.create()) {
            float[] timesteps = s.setTimesteps(n);
            assertArrayEquals(refs.load(key + ".timesteps", manager, DataType.FLOAT32).toFloatArray(), timesteps, 0f,
                    key + ".timesteps");
            float[] json = new float[c.get("timesteps").size()];
            for (int i = 0; i < json.length; i++) {
                json[i] = (float) c.get("timesteps").get(i).asDouble();
            }
            assertArrayEquals(json, timesteps, 0f);
            if (refs.keys().contains(key + ".sigmas")) {
                float[] ref = refs.load(key + ".sigmas", manager, DataType.FLOAT32).toFloatArray();
                float[] ours = s.sigmas();
                assertEquals(ref.length, ours.length);
                for (int i = 0; i < ref.length; i++) {
                    assertEquals(ref[i], ours[i], 1e-6 * Math.abs(ref[i]), key + ".sigmas[" + i + "]");
                }
            } else {
                assertEquals(0, s.sigmas().length);
            }
            double init = c.get("init_noise_sigma").asDouble();
            assertEquals(init, s.initNoiseSigma(), 1e-6 * init, key + " init_noise_sigma");
        }
    }

    /**
     * Each txt2img case's loop, fed diffusers' recorded UNet outputs: scaled inputs, guidance only above 1 (batch 1
     * otherwise, as the recorded unet_input shows), the step noise drawn from the case's generator seed (checked
     * against the recorded draws bit for bit) and the latents after every step.
     */
    @ParameterizedTest
    @CsvSource({
            "lcm_4_g1, lcm, ''", "lcm_4_g2, lcm, ''",
            "turbo_eulera_trailing_1_g0, euler-ancestral, trailing",
            "turbo_eulera_trailing_4_g0, euler-ancestral, trailing",
            "dpmpp2m_karras_10, dpmpp-2m-karras, ''", "dpmpp2m_trailing_10, dpmpp-2m, trailing"})
    void pipelineLoopWithRecordedUnetOutputs(String id, String name, String spacing) {
        JsonNode params = caseOf(id).get("params");
        int n = params.get("num_inference_steps").asInt();
        float g = (float) params.get("guidance_scale").asDouble();
        boolean cfg = params.get("classifier_free_guidance").asBoolean();
        assertEquals(g > 1, cfg);
        String prefix = "extras." + id + ".";
        NDArray unetInput = refs.load(prefix + "unet_input", manager, DataType.FLOAT32);
        NDArray noisePred = refs.load(prefix + "unet_noise_pred", manager, DataType.FLOAT32);
        NDArray after = refs.load(prefix + "latents_after_step", manager, DataType.FLOAT32);
        assertEquals(cfg ? 2 : 1, unetInput.getShape().get(1), "UNet batch");
        double worst = 0;
        try (NDManager run = manager.newSubManager(); Scheduler s = factory(name, spacing).create()) {
            float[] timesteps = s.setTimesteps(n);
            for (int k = 0; k < n; k++) {
                assertEquals(params.get("unet_timesteps").get(k).asDouble(), timesteps[k], 0, id + " timestep " + k);
            }
            List<Shape> shapes = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                if (s.drawsNoise(k)) {
                    shapes.add(new Shape(1, 4, 32, 32));
                }
            }
            NDList drawn = TorchGenerator.randn(params.get("generator_seed").asLong(), shapes, run);
            if (refs.keys().contains(prefix + "noise")) {
                NDArray noiseRef = refs.load(prefix + "noise", manager, DataType.FLOAT32);
                assertEquals(noiseRef.getShape().get(0), drawn.size(), id + " number of step draws");
                for (int k = 0; k < drawn.size(); k++) {
                    assertArrayEquals(noiseRef.get(k).toFloatArray(), drawn.get(k).toFloatArray(), 0f,
                            id + " noise " + k);
                }
            } else {
                assertTrue(drawn.isEmpty());
            }
            java.util.Iterator<NDArray> noise = drawn.iterator();
            NDArray latents = refs.load(prefix + "initial_latents", run, DataType.FLOAT32).mul(s.initNoiseSigma());
            for (int k = 0; k < n; k++) {
                NDArray scaled = s.scaleModelInput(latents, k);
                NDArray refIn = unetInput.get(k).get(cfg ? "1:2" : "0:1");
                TensorAssert.assertClose(refIn, scaled, 5e-5 * refIn.abs().max().getFloat(),
                        id + " unet_input[" + k + "]");
                NDArray guided = noisePred.get(k);
                if (cfg) {
                    NDArray uncond = guided.get("0:1");
                    guided = uncond.add(guided.get("1:2").sub(uncond).mul(g));
                }
                latents = s.step(guided, k, latents, noise::next).prevSample();
                double diff = TensorAssert.maxAbsDiff(after.get(k), latents);
                assertTrue(diff <= 5e-5 * after.get(k).abs().max().getFloat(), id + " latents[" + k + "]: " + diff);
                worst = Math.max(worst, diff);
            }
            assertTrue(!noise.hasNext(), id + ": unused step noise");
        }
        System.out.printf("%s latents_after_step max |diff| %.3g%n", id, worst);
    }

    @Test
    void lcmIsChosenFromTheModelsClassName() {
        ObjectNode node = ((ObjectNode) modelConfig.node().deepCopy()).put("_class_name", "LCMScheduler");
        JsonConfig lcm = new JsonConfig(node, "lcm/scheduler_config.json");
        SchedulerFactory f = SchedulerFactory.of(lcm, null);
        assertEquals(SchedulerClass.LCM, f.config().schedulerClass());
        try (Scheduler s = f.create()) {
            assertArrayEquals(new float[] {999, 759, 499, 259}, s.setTimesteps(4), 0f);
            assertArrayEquals(new float[] {999}, s.setTimesteps(1), 0f);
            assertTrue(!s.drawsNoise(0), "a one-step LCM run draws no noise");
        }
        assertNull(f.resolvedTimestepSpacing());
        assertNull(f.resolvedUseKarrasSigmas());
    }

    @Test
    void optionsOverrideTheConfigAndResolve() {
        SchedulerFactory euler = SchedulerFactory.of(modelConfig, "euler", "Trailing", true);
        assertEquals("trailing", euler.resolvedTimestepSpacing());
        assertEquals(true, euler.resolvedUseKarrasSigmas());
        SchedulerFactory dpm = SchedulerFactory.of(modelConfig, "dpmpp-2m", null, true);
        assertEquals(true, dpm.config().useKarrasSigmas());
        assertEquals("linspace", dpm.resolvedTimestepSpacing());
        SchedulerFactory own = SchedulerFactory.of(modelConfig, null, null, null);
        assertEquals("leading", own.resolvedTimestepSpacing());
        assertNull(own.resolvedUseKarrasSigmas());
        assertEquals("trailing", SchedulerFactory.of(modelConfig, null, "trailing", false).resolvedTimestepSpacing());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ddim | '' | true | use_karras_sigmas: true is not supported by DDIMScheduler",
            "euler-ancestral | '' | true | use_karras_sigmas: true is not supported by EulerAncestralDiscreteScheduler",
            "lcm | '' | true | use_karras_sigmas: true is not supported by LCMScheduler",
            "'' | '' | true | use_karras_sigmas: true is not supported by PNDMScheduler (the model's scheduler)",
            "lcm | trailing | '' | timestep_spacing: 'trailing' is not supported by LCMScheduler",
            "euler | sideways | '' | timestep_spacing: 'sideways' is not one of leading, trailing, linspace",
            "dpmpp-2m-karras | '' | false | use_karras_sigmas: false contradicts scheduler dpmpp-2m-karras"})
    void invalidCombinationsNameFieldAndValue(String name, String spacing, String karras, String message) {
        SchedulerOptionsException e = assertThrows(SchedulerOptionsException.class, () -> SchedulerFactory.of(
                modelConfig, name.isEmpty() ? null : name, spacing.isEmpty() ? null : spacing,
                karras.isEmpty() ? null : Boolean.valueOf(karras)));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }
}
