package dev.ldmforge.runtime.vae;

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

/** The tiny-sd VAE against diffusers 0.25.1 (fixture README: decode atol 5e-5, encode mean/std/logvar 1e-4). */
class AutoencoderKLTest {
    private static NDManager manager;
    private static SafetensorsFile refs;
    private static AutoencoderKL vae;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        refs = SafetensorsFile.open(Fixtures.path("refs/tiny-sd-refs.safetensors"));
        Parameters params = new Parameters();
        vae = new AutoencoderKL(AutoencoderKLConfig.read(Fixtures.path("tiny-sd/vae/config.json")), params);
        try (SafetensorsFile weights = SafetensorsFile.open(
                Fixtures.path("tiny-sd/vae/diffusion_pytorch_model.safetensors"))) {
            params.load(weights, manager, DataType.FLOAT32, key -> false);
        }
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
    void decodeMatchesDiffusers() {
        try (NDManager m = manager.newSubManager()) {
            NDArray latents = refs.load("vae_decode.latents", m, DataType.FLOAT32);
            NDArray scaled = refs.load("vae_decode.latents_scaled", m, DataType.FLOAT32);
            TensorAssert.assertClose(scaled, latents.div(vae.scalingFactor()), 1e-6, "latents / scaling_factor");
            NDArray expected = refs.load("vae_decode.sample", m, DataType.FLOAT32);
            vae.decode(scaled).close(); // the first call may create cached norm constants
            int before = manager.getManagedArrays().size();
            NDArray actual = vae.decode(scaled);
            assertEquals(before + 1, manager.getManagedArrays().size(), "only the image survives decode");
            System.out.printf("vae_decode.sample max|diff| %.3g%n", TensorAssert.maxAbsDiff(expected, actual));
            TensorAssert.assertClose(expected, actual, 5e-5, "vae_decode.sample");
        }
    }

    @Test
    void encodeMatchesDiffusers() {
        try (NDManager m = manager.newSubManager()) {
            NDArray image = refs.load("vae_encode.image", m, DataType.FLOAT32);
            int before = m.getManagedArrays().size();
            DiagonalGaussianDistribution dist = vae.encode(image);
            assertEquals(before + 3, m.getManagedArrays().size(), "only mean, logvar and std survive encode");
            check("vae_encode.mean", dist.mean(), m);
            check("vae_encode.std", dist.std(), m);
            check("vae_encode.logvar", dist.logvar(), m);
        }
    }

    @Test
    void chunkedAttentionDecodesTheSame() {
        Parameters params = new Parameters();
        AutoencoderKL chunked = new AutoencoderKL(vae.config(), params, 100);
        try (NDManager m = manager.newSubManager();
             SafetensorsFile weights = SafetensorsFile.open(
                     Fixtures.path("tiny-sd/vae/diffusion_pytorch_model.safetensors"))) {
            params.load(weights, m, DataType.FLOAT32, key -> false);
            NDArray scaled = refs.load("vae_decode.latents_scaled", m, DataType.FLOAT32);
            TensorAssert.assertClose(refs.load("vae_decode.sample", m, DataType.FLOAT32), chunked.decode(scaled), 5e-5,
                    "vae_decode.sample with chunked attention");
        }
    }

    private static void check(String name, NDArray actual, NDManager m) {
        NDArray expected = refs.load(name, m, DataType.FLOAT32);
        System.out.printf("%s max|diff| %.3g%n", name, TensorAssert.maxAbsDiff(expected, actual));
        TensorAssert.assertClose(expected, actual, 1e-4, name);
    }
}
