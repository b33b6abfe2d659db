package dev.ldmforge.runtime.demo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ldmforge.runtime.nn.Parameter;
import dev.ldmforge.runtime.textencoder.ClipTextModel;
import dev.ldmforge.runtime.tokenizer.ClipTokenizer;
import dev.ldmforge.runtime.training.AdamW;
import dev.ldmforge.runtime.training.ExponentialMovingAverage;
import dev.ldmforge.runtime.training.LearningRateSchedule;
import dev.ldmforge.runtime.training.TrainingStep;
import dev.ldmforge.runtime.unet.UNet2DConditionModel;
import dev.ldmforge.runtime.vae.AutoencoderKL;
import dev.ldmforge.runtime.vae.DiagonalGaussianDistribution;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Stage two: the text-conditioned UNet learns to predict the noise added to the frozen autoencoder's latents
 * (the LDM objective, ε-prediction MSE at a uniformly drawn timestep), jointly with the text encoder. One caption in
 * ten is replaced by the empty prompt so the same network also models the unconditional distribution that
 * classifier-free guidance subtracts.
 */
final class DenoiserTraining {
    static final double CAPTION_DROPOUT = 0.1;
    private static final double EMA_DECAY = 0.999;

    private final ClipTokenizer tokenizer;
    private final ClipTextModel textEncoder;
    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;
    private final double scalingFactor;
    private final float[] alphasCumprod;

    DenoiserTraining(ClipTokenizer tokenizer, ClipTextModel textEncoder, UNet2DConditionModel unet, AutoencoderKL vae,
                     double scalingFactor, float[] alphasCumprod) {
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vae = vae;
        this.scalingFactor = scalingFactor;
        this.alphasCumprod = alphasCumprod;
    }

    /**
     * Trains {@code parameters} (text encoder and UNet); on return they hold the exponential moving average, the
     * weights that ship.
     *
     * @return the loss of every step
     */
    List<Float> train(List<Parameter> parameters, DemoTrainer.Settings settings, NDManager manager,
                      DemoTrainer.Progress progress) {
        int steps = settings.unetSteps();
        LearningRateSchedule rate = new LearningRateSchedule(3e-4, Math.min(200, steps), steps, 0.1);
        SplittableRandom random = new SplittableRandom(settings.seed() ^ 0x5eed_0f_d1ff_0501L);
        List<Float> losses = new ArrayList<>(steps);
        try (AdamW optimizer = new AdamW(parameters, 0.9, 0.999, 1e-8, 0.01, 1.0);
             ExponentialMovingAverage ema = new ExponentialMovingAverage(parameters, EMA_DECAY)) {
            for (int step = 1; step <= steps; step++) {
                try (NDManager m = manager.newSubManager()) {
                    // Indices past the autoencoder's: the denoiser sees pictures the autoencoder never trained on.
                    SceneBatch batch = SceneBatch.of(settings.seed(), 1_000_000L + step, settings.batchSize());
                    Example e = example(batch, random, m);
                    float loss = TrainingStep.run(() -> unet.forward(e.noisy(), e.timesteps(),
                            textEncoder.encode(e.inputIds(), 0)).sub(e.noise()).square().mean(), optimizer,
                            rate.at(step));
                    ema.update();
                    losses.add(loss);
                    progress.update("unet", step, steps, loss);
                }
            }
            for (int i = 0; i < parameters.size(); i++) {
                NDArray w = parameters.get(i).array();
                w.setRequiresGradient(false);
                w.set(ema.average(i).toByteBuffer());
            }
        }
        return losses;
    }

    private record Example(NDArray inputIds, NDArray noisy, NDArray timesteps, NDArray noise) {
    }

    /** Captions (some dropped), latents noised to uniformly drawn timesteps, and the noise to predict. */
    private Example example(SceneBatch batch, SplittableRandom random, NDManager m) {
        int size = batch.scenes().size();
        long[][] ids = new long[size][];
        float[] t = new float[size];
        float[] signal = new float[size];
        float[] noiseScale = new float[size];
        for (int i = 0; i < size; i++) {
            String caption = random.nextDouble() < CAPTION_DROPOUT ? "" : batch.scenes().get(i).caption();
            ids[i] = tokenizer.encode(caption).inputIds();
            int step = random.nextInt(alphasCumprod.length);
            t[i] = step;
            signal[i] = (float) Math.sqrt(alphasCumprod[step]);
            noiseScale[i] = (float) Math.sqrt(1 - alphasCumprod[step]);
        }
        NDArray latents;
        try (DiagonalGaussianDistribution posterior = vae.encode(batch.images(m))) {
            latents = posterior.sample(m.randomNormal(posterior.mean().getShape())).muli((float) scalingFactor);
        }
        NDArray noise = m.randomNormal(latents.getShape());
        Shape perSample = new Shape(size, 1, 1, 1);
        NDArray noisy = latents.mul(m.create(signal, perSample)).addi(noise.mul(m.create(noiseScale, perSample)));
        return new Example(m.create(ids), noisy, m.create(t).toType(DataType.FLOAT32, false), noise);
    }
}
