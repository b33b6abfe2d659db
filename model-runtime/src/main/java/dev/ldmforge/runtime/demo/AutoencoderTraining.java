package dev.ldmforge.runtime.demo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.training.AdamW;
import dev.ldmforge.runtime.training.LearningRateSchedule;
import dev.ldmforge.runtime.training.TrainingStep;
import dev.ldmforge.runtime.vae.AutoencoderKL;
import dev.ldmforge.runtime.vae.DiagonalGaussianDistribution;

import java.util.ArrayList;
import java.util.List;

/**
 * Stage one of the LDM recipe: the KL autoencoder, trained to reconstruct pictures through a sampled latent
 * (L1 + squared error) with a small KL pull towards N(0, 1) so the latent space stays smooth for the diffusion
 * model. The paper's perceptual and adversarial terms are left out: flat-coloured shapes need neither.
 */
final class AutoencoderTraining {
    private static final double KL_WEIGHT = 1e-4;
    private static final int SCALE_BATCHES = 8;

    private AutoencoderTraining() {
    }

    /** @return the loss of every step */
    static List<Float> train(AutoencoderKL vae, Parameters parameters, DemoTrainer.Settings settings,
                             NDManager manager, DemoTrainer.Progress progress) {
        int steps = settings.autoencoderSteps();
        LearningRateSchedule rate = new LearningRateSchedule(1e-3, Math.min(100, steps), steps, 0.05);
        List<Float> losses = new ArrayList<>(steps);
        try (AdamW optimizer = new AdamW(List.copyOf(parameters.all()), 0.9, 0.999, 1e-8, 0.0, 1.0)) {
            for (int step = 1; step <= steps; step++) {
                try (NDManager m = manager.newSubManager()) {
                    NDArray x = SceneBatch.of(settings.seed(), step, settings.batchSize()).images(m);
                    float loss = TrainingStep.run(() -> loss(vae, x), optimizer, rate.at(step));
                    losses.add(loss);
                    progress.update("autoencoder", step, steps, loss);
                }
            }
        }
        for (var p : parameters.all()) {
            p.array().setRequiresGradient(false);
        }
        return losses;
    }

    private static NDArray loss(AutoencoderKL vae, NDArray x) {
        try (DiagonalGaussianDistribution posterior = vae.encode(x)) {
            NDArray z = posterior.sample(x.getManager().randomNormal(posterior.mean().getShape()));
            NDArray error = vae.decode(z).sub(x);
            NDArray kl = posterior.mean().square().add(posterior.std().square()).sub(1).sub(posterior.logvar())
                    .mul(0.5f).mean();
            return error.abs().mean().add(error.square().mean()).add(kl.mul((float) KL_WEIGHT));
        }
    }

    /** Stable Diffusion's {@code scaling_factor}: 1 / the standard deviation of sampled latents. */
    static double scalingFactor(AutoencoderKL vae, DemoTrainer.Settings settings, NDManager manager) {
        double sum = 0;
        double sumSquares = 0;
        long n = 0;
        for (int b = 0; b < SCALE_BATCHES; b++) {
            try (NDManager m = manager.newSubManager();
                 DiagonalGaussianDistribution posterior = vae.encode(
                         SceneBatch.of(settings.seed() + 1, b, settings.batchSize()).images(m))) {
                NDArray z = posterior.sample(m.randomNormal(posterior.mean().getShape()));
                sum += z.sum().getFloat();
                sumSquares += z.square().sum().getFloat();
                n += z.size();
            }
        }
        double mean = sum / n;
        return 1 / Math.sqrt(sumSquares / n - mean * mean);
    }
}
