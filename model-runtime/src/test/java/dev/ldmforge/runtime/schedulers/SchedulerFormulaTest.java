package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ldmforge.runtime.config.ConfigException;
import dev.ldmforge.runtime.config.JsonConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Schedules and steps checked against values derived by hand from the diffusers 0.25.1 formulas. */
class SchedulerFormulaTest {
    /** Stable Diffusion 1.x's scheduler_config.json. */
    private static final String SD = """
            {"_class_name": "PNDMScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear",
             "beta_start": 0.00085, "clip_sample": false, "num_train_timesteps": 1000, "set_alpha_to_one": false,
             "skip_prk_steps": true, "steps_offset": 1, "trained_betas": null%s}""";

    private static JsonConfig config(String extra) {
        return JsonConfig.parse(SD.formatted(extra), "scheduler_config.json");
    }

    private static Scheduler create(String name, String extra) {
        return SchedulerFactory.of(config(extra), name).create();
    }

    @Test
    void leadingSpacingOfDpmSolverSpacesNPlusOnePoints() {
        // (np.arange(0, 11) * (1000 // 11)).round()[::-1][:-1] + steps_offset
        try (Scheduler s = create("dpmpp-2m", ", \"timestep_spacing\": \"leading\"")) {
            assertArrayEquals(new float[] {901, 811, 721, 631, 541, 451, 361, 271, 181, 91}, s.setTimesteps(10));
        }
    }

    @Test
    void trailingSpacing() {
        // np.round(np.arange(1000, 0, -1000 / 7)) - 1
        float[] trailing7 = {999, 856, 713, 570, 428, 285, 142};
        for (String name : new String[] {"ddim", "ddpm", "euler", "euler-ancestral", "lms", "dpmpp-2m"}) {
            try (Scheduler s = create(name, ", \"timestep_spacing\": \"trailing\"")) {
                assertArrayEquals(trailing7, s.setTimesteps(7), name);
            }
        }
        try (Scheduler s = create("pndm", ", \"timestep_spacing\": \"trailing\"")) {
            assertArrayEquals(new float[] {999, 856, 856, 713, 570, 428, 285, 142}, s.setTimesteps(7));
        }
        try (Scheduler s = create("ddim", ", \"timestep_spacing\": \"trailing\"")) {
            assertArrayEquals(new float[] {999, 899, 799, 699, 599, 499, 399, 299, 199, 99}, s.setTimesteps(10));
        }
    }

    @Test
    void karrasSigmas() {
        // diffusers' _convert_to_karras and _sigma_to_t over the SD schedule (numpy, float32 log sigmas)
        float[] sigmas = {14.614645f, 9.102936f, 5.4784007f, 3.1686108f, 1.7494229f, 0.9140764f, 0.44692087f,
            0.20139985f, 0.08191105f, 0.029167533f};
        try (Scheduler s = create("dpmpp-2m-karras", "")) {
            assertArrayEquals(new float[] {999, 916, 815, 687, 523, 327, 146, 41, 7, 0}, s.setTimesteps(10));
            float[] withFinal = java.util.Arrays.copyOf(sigmas, 11);
            withFinal[10] = sigmas[9]; // this diffusers version repeats the smallest sigma instead of ending at 0
            assertArrayEquals(withFinal, s.sigmas(), 2e-6f * 15);
        }
        try (Scheduler s = create("euler", ", \"use_karras_sigmas\": true")) {
            float[] t = s.setTimesteps(10);
            float[] expected = {999.0f, 916.284f, 815.04492f, 687.15326f, 523.1989f, 327.1472f, 145.93903f,
                40.856869f, 6.7324095f, 0.0f};
            assertArrayEquals(expected, t, 1e-3f);
            assertEquals(0f, s.sigmas()[10]);
            assertArrayEquals(sigmas, java.util.Arrays.copyOf(s.sigmas(), 10), 2e-6f * 15);
        }
    }

    @Test
    void vPredictionSteps() {
        String v = ", \"prediction_type\": \"v_prediction\"";
        float[] alphasCumprod = SchedulerFactory.of(config(""), "ddim").config().alphasCumprod();
        double x = 2.0;
        double out = 0.5;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray sample = m.create(new float[] {(float) x});
            NDArray modelOutput = m.create(new float[] {(float) out});
            try (Scheduler s = create("ddim", v)) {
                s.setTimesteps(10);
                double a = alphasCumprod[901];
                double aPrev = alphasCumprod[801];
                double x0 = Math.sqrt(a) * x - Math.sqrt(1 - a) * out;
                double eps = Math.sqrt(a) * out + Math.sqrt(1 - a) * x;
                StepOutput o = s.step(modelOutput, 0, sample, null);
                assertEquals(x0, o.predOriginalSample().getFloat(0), 1e-6);
                assertEquals(Math.sqrt(aPrev) * x0 + Math.sqrt(1 - aPrev) * eps, o.prevSample().getFloat(0), 1e-6);
            }
            try (Scheduler s = create("euler", v)) {
                s.setTimesteps(10);
                double sigma = s.sigmas()[0];
                double next = s.sigmas()[1];
                double x0 = out * (-sigma / Math.sqrt(sigma * sigma + 1)) + x / (sigma * sigma + 1);
                StepOutput o = s.step(modelOutput, 0, sample, null);
                assertEquals(x0, o.predOriginalSample().getFloat(0), 1e-6);
                assertEquals(x + (x - x0) / sigma * (next - sigma), o.prevSample().getFloat(0), 1e-5);
                assertEquals(x / Math.sqrt(sigma * sigma + 1), s.scaleModelInput(sample, 0).getFloat(0), 1e-6);
            }
            try (Scheduler s = create("dpmpp-2m", v)) {
                s.setTimesteps(10);
                double sigma = s.sigmas()[0];
                double next = s.sigmas()[1];
                double alpha = 1 / Math.sqrt(sigma * sigma + 1);
                double sigmaT = sigma * alpha;
                double alphaNext = 1 / Math.sqrt(next * next + 1);
                double sigmaNext = next * alphaNext;
                double x0 = alpha * x - sigmaT * out;
                double h = Math.log(alphaNext / sigmaNext) - Math.log(alpha / sigmaT);
                StepOutput o = s.step(modelOutput, 0, sample, null);
                assertNull(o.predOriginalSample());
                assertEquals(sigmaNext / sigmaT * x - alphaNext * (Math.exp(-h) - 1) * x0, o.prevSample().getFloat(0),
                        1e-5);
            }
        }
    }

    @Test
    void clipSampleClampsThePredictedOriginal() {
        try (NDManager m = NDManager.newBaseManager();
             Scheduler s = create("ddim", ", \"clip_sample\": true, \"clip_sample_range\": 1.5")) {
            s.setTimesteps(10);
            NDArray x0 = s.step(m.create(new float[] {-3f, 0f}), 0, m.create(new float[] {0f, 40f}), null)
                    .predOriginalSample();
            assertArrayEquals(new float[] {1.5f, 1.5f}, x0.toFloatArray());
        }
    }

    @Test
    void img2imgStartIndexFollowsGetTimesteps() {
        assertEquals(4, Scheduler.img2imgStartIndex(8, 0.6));
        assertEquals(0, Scheduler.img2imgStartIndex(8, 1.0));
        assertEquals(8, Scheduler.img2imgStartIndex(8, 0.0));
        assertEquals(5, Scheduler.img2imgStartIndex(10, 0.55));
        assertThrows(IllegalArgumentException.class, () -> Scheduler.img2imgStartIndex(8, 1.5));
    }

    @Test
    void configErrorsNameTheFieldAndValue() {
        String unknown = assertThrows(IllegalArgumentException.class, () -> create("heun", "")).getMessage();
        assertTrue(unknown.contains("'heun'") && unknown.contains(SchedulerName.validNames()), unknown);
        String beta = assertThrows(ConfigException.class, () -> SchedulerFactory.of(
                JsonConfig.parse("{\"beta_schedule\": \"cosine\"}", "x/scheduler_config.json"), "ddim")).getMessage();
        assertTrue(beta.contains("x/scheduler_config.json") && beta.contains("beta_schedule")
                && beta.contains("cosine"), beta);
        String threshold = assertThrows(ConfigException.class, () -> create("ddim", ", \"thresholding\": true"))
                .getMessage();
        assertTrue(threshold.contains("thresholding"), threshold);
        assertThrows(ConfigException.class, () -> create("euler-ancestral", ", \"prediction_type\": \"sample\""));
        assertThrows(ConfigException.class, () -> create("ddim", ", \"timestep_spacing\": \"uniform\""));
        assertThrows(ConfigException.class, () -> create("ddim", ", \"trained_betas\": [0.1, 0.2]"));
        String prk = assertThrows(ConfigException.class, () -> SchedulerFactory.of(JsonConfig.parse(
                "{\"_class_name\": \"PNDMScheduler\"}", "s.json"), null)).getMessage();
        assertTrue(prk.contains("skip_prk_steps"), prk);
        String cls = assertThrows(ConfigException.class, () -> SchedulerFactory.of(JsonConfig.parse(
                "{\"_class_name\": \"UniPCMultistepScheduler\"}", "s.json"), null)).getMessage();
        assertTrue(cls.contains("UniPCMultistepScheduler") && cls.contains("dpmpp-2m"), cls);
    }

    @Test
    void namesOverrideOnlyTheAlgorithm() {
        SchedulerFactory own = SchedulerFactory.of(config(""), null);
        assertNull(own.name());
        assertEquals(SchedulerClass.PNDM, own.config().schedulerClass());
        SchedulerConfig karras = SchedulerFactory.of(config(", \"use_karras_sigmas\": false"), "dpmpp-2m-karras")
                .config();
        assertTrue(karras.useKarrasSigmas());
        assertEquals(0.00085, karras.betaStart());
        assertEquals(1, karras.stepsOffset());
        // DDIM's class default for set_alpha_to_one is true, but the model's config says false
        assertTrue(!SchedulerFactory.of(config(""), "ddim").config().setAlphaToOne());
        assertEquals(TimestepSpacing.LINSPACE, SchedulerFactory.of(config(""), "euler").config().timestepSpacing());
    }

    /** Intermediates are freed: a step leaves only its outputs in the caller's manager. */
    @ParameterizedTest
    @ValueSource(strings = {"ddim", "pndm", "ddpm", "euler", "euler-ancestral", "lms", "dpmpp-2m"})
    void memoryStaysFlat(String name) {
        try (NDManager m = NDManager.newBaseManager(); Scheduler s = SchedulerFactory.of(config(""), name).create(1.0)) {
            int calls = s.setTimesteps(10).length;
            Shape shape = new Shape(1, 4, 8, 8);
            NDArray sample = m.randomNormal(shape);
            for (int k = 0; k < calls; k++) {
                NDArray modelOutput = m.randomNormal(shape);
                int before = ((BaseNDManager) m).getManagedArrays().size();
                StepOutput out = s.step(modelOutput, k, sample, () -> m.randomNormal(shape));
                int after = ((BaseNDManager) m).getManagedArrays().size();
                // the outputs, and the noise the supplier created in m
                assertTrue(after - before <= 3, name + " step " + k + " left " + (after - before) + " arrays");
                sample = out.prevSample();
            }
        }
    }
}
