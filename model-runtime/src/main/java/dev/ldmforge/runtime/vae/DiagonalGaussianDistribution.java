package dev.ldmforge.runtime.vae;

import ai.djl.ndarray.NDArray;

/**
 * The VAE's latent distribution per element (diffusers' {@code DiagonalGaussianDistribution}), each [B, latent, h, w]:
 * {@code logvar} clamped to [-30, 20] and {@code std} = exp(logvar / 2).
 */
public record DiagonalGaussianDistribution(NDArray mean, NDArray logvar, NDArray std) implements AutoCloseable {

    /** A draw mean + std·noise, with {@code noise} ~ N(0, 1) of the same shape. */
    public NDArray sample(NDArray noise) {
        return noise.mul(std).addi(mean);
    }

    @Override
    public void close() {
        mean.close();
        logvar.close();
        std.close();
    }
}
