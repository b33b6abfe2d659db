package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.testing.TensorAssert;
import dev.ldmforge.runtime.weights.SafetensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The tiny-sd UNet against diffusers 0.25.1 (fixture README: unet noise_pred atol 1e-4). */
class UNet2DConditionModelTest {
    private static final double ATOL = 1e-4;
    private static final float[] TIMESTEPS = {999f, 500f, 856.2857055664062f};

    private static NDManager manager;
    private static SafetensorsFile refs;
    private static UNet2DConditionModel unet;
    private static UNet2DConditionModel chunkedUnet;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        refs = SafetensorsFile.open(Fixtures.path("refs/tiny-sd-refs.safetensors"));
        UNet2DConditionConfig config = UNet2DConditionConfig.read(Fixtures.path("tiny-sd/unet/config.json"));
        unet = build(config, 0);
        chunkedUnet = build(config, 100);
    }

    private static UNet2DConditionModel build(UNet2DConditionConfig config, int chunk) {
        Parameters params = new Parameters();
        UNet2DConditionModel model = new UNet2DConditionModel(config, params, chunk);
        try (SafetensorsFile weights = SafetensorsFile.open(
                Fixtures.path("tiny-sd/unet/diffusion_pytorch_model.safetensors"))) {
            params.load(weights, manager, DataType.FLOAT32, key -> false);
        }
        return model;
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

    @Test
    void matchesDiffusersAtEveryTimestep() {
        try (NDManager m = manager.newSubManager()) {
            NDArray sample = refs.load("unet.sample", m, DataType.FLOAT32);
            NDArray text = refs.load("unet.encoder_hidden_states", m, DataType.FLOAT32);
            for (int i = 0; i < TIMESTEPS.length; i++) {
                NDArray expected = refs.load("unet.t" + i + ".noise_pred", m, DataType.FLOAT32);
                NDArray actual = unet.forward(sample, m.create(TIMESTEPS[i]), text);
                System.out.printf("unet.t%d.noise_pred max|diff| %.3g%n", i, TensorAssert.maxAbsDiff(expected, actual));
                TensorAssert.assertClose(expected, actual, ATOL, "unet.t" + i + ".noise_pred");
            }
        }
    }

    @Test
    void perElementTimestepsAndChunkedAttentionGiveTheSameResult() {
        try (NDManager m = manager.newSubManager()) {
            NDArray sample = refs.load("unet.sample", m, DataType.FLOAT32);
            NDArray text = refs.load("unet.encoder_hidden_states", m, DataType.FLOAT32);
            // Batch element 0 at t0, element 1 at t2: each must match its own reference row.
            NDArray t = m.create(new float[] {TIMESTEPS[0], TIMESTEPS[2]});
            NDArray actual = chunkedUnet.forward(sample, t, text);
            NDArray t0 = refs.load("unet.t0.noise_pred", m, DataType.FLOAT32);
            NDArray t2 = refs.load("unet.t2.noise_pred", m, DataType.FLOAT32);
            TensorAssert.assertClose(t0.get(0), actual.get(0), ATOL, "chunked, row 0 at t=999");
            TensorAssert.assertClose(t2.get(1), actual.get(1), ATOL, "chunked, row 1 at t=856.2857");
            System.out.printf("chunked per-element max|diff| %.3g / %.3g%n",
                    TensorAssert.maxAbsDiff(t0.get(0), actual.get(0)), TensorAssert.maxAbsDiff(t2.get(1), actual.get(1)));
        }
    }

    @Test
    void onlyTheResultSurvivesAForwardCall() {
        try (NDManager m = manager.newSubManager()) {
            NDArray sample = refs.load("unet.sample", m, DataType.FLOAT32);
            NDArray text = refs.load("unet.encoder_hidden_states", m, DataType.FLOAT32);
            NDArray t = m.create(TIMESTEPS[1]);
            unet.forward(sample, t, text).close(); // first call may create cached norm constants
            int before = m.getManagedArrays().size();
            int weightsBefore = manager.getManagedArrays().size();
            NDArray out = unet.forward(sample, t, text);
            assertEquals(before + 1, m.getManagedArrays().size(), "arrays left in the caller's manager");
            assertEquals(weightsBefore + 1, manager.getManagedArrays().size(), "arrays left in the weights' manager");
            assertEquals(m, out.getManager());
        }
    }
}
