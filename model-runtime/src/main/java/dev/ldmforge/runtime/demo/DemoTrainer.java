package dev.ldmforge.runtime.demo;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.nn.Parameter;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.schedulers.SchedulerClass;
import dev.ldmforge.runtime.schedulers.SchedulerConfig;
import dev.ldmforge.runtime.textencoder.ClipTextModel;
import dev.ldmforge.runtime.tokenizer.ClipTokenizer;
import dev.ldmforge.runtime.unet.UNet2DConditionModel;
import dev.ldmforge.runtime.vae.AutoencoderKL;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains the demo model from nothing, in the two stages of the LDM paper (autoencoder, then the text-conditioned
 * denoiser on its latents), and writes it as a diffusers folder with its tokenizer, a loss curve and a training log.
 * Everything random comes from {@code seed}: the scenes, the initial weights, the noise, timesteps and caption
 * dropout, so retraining with the same seed gives the same model (up to float summation order in threaded kernels).
 */
public final class DemoTrainer {

    /** What to train: steps per stage, scenes per step, and the dtype the weights are stored in. */
    public record Settings(long seed, int autoencoderSteps, int unetSteps, int batchSize, DataType storedDtype) {
        public static final int AUTOENCODER_STEPS = 1500;
        public static final int UNET_STEPS = 5000;
        public static final int BATCH_SIZE = 64;

        public Settings {
            if (autoencoderSteps < 1 || unetSteps < 1 || batchSize < 1) {
                throw new IllegalArgumentException("steps and batch size must be positive, got autoencoder steps "
                        + autoencoderSteps + ", unet steps " + unetSteps + ", batch size " + batchSize);
            }
            if (storedDtype != DataType.FLOAT32 && storedDtype != DataType.FLOAT16) {
                throw new IllegalArgumentException("weights are stored as float32 or float16, not " + storedDtype);
            }
        }
    }

    /** Called after every step. */
    @FunctionalInterface
    public interface Progress {
        void update(String stage, int step, int steps, double loss);
    }

    /** What training produced, besides the model folder. */
    public record Result(Path model, double scalingFactor, List<Float> autoencoderLosses, List<Float> unetLosses,
                         double seconds) {
    }

    private DemoTrainer() {
    }

    public static Result train(Settings settings, Path output, Progress progress) {
        long start = System.nanoTime();
        Engine.getInstance().setRandomSeed((int) settings.seed());
        DemoVocabulary vocabulary = DemoVocabulary.generate();
        ClipTokenizer tokenizer = vocabulary.tokenizer();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            // The scaling factor is known only after stage one; it changes no parameter shape.
            DemoModelConfigs draft = DemoModelConfigs.of(vocabulary.size(), tokenizer.bosTokenId(),
                    tokenizer.eosTokenId(), 1.0);
            Parameters vaeParameters = new Parameters();
            AutoencoderKL vae = new AutoencoderKL(draft.vaeConfig(), vaeParameters);
            vaeParameters.initRandom(manager, DataType.FLOAT32, settings.seed(),
                    Parameters.Initializer.pytorchLike());
            List<Float> autoencoderLosses = AutoencoderTraining.train(vae, vaeParameters, settings, manager,
                    progress);
            double scalingFactor = AutoencoderTraining.scalingFactor(vae, settings, manager);

            DemoModelConfigs configs = DemoModelConfigs.of(vocabulary.size(), tokenizer.bosTokenId(),
                    tokenizer.eosTokenId(), scalingFactor);
            Parameters textParameters = new Parameters();
            ClipTextModel textEncoder = new ClipTextModel(configs.textEncoderConfig(), textParameters.root());
            Parameters unetParameters = new Parameters();
            UNet2DConditionModel unet = new UNet2DConditionModel(configs.unetConfig(), unetParameters);
            textParameters.initRandom(manager, DataType.FLOAT32, settings.seed() + 1,
                    Parameters.Initializer.pytorchLike());
            unetParameters.initRandom(manager, DataType.FLOAT32, settings.seed() + 2,
                    Parameters.Initializer.pytorchLike());
            float[] alphasCumprod = SchedulerConfig.resolve(JsonConfig.parse(configs.scheduler(),
                    "demo/scheduler/scheduler_config.json"), SchedulerClass.DDIM,
                    JsonNodeFactory.instance.objectNode()).alphasCumprod();
            List<Parameter> denoiser = new ArrayList<>(textParameters.all());
            denoiser.addAll(unetParameters.all());
            List<Float> unetLosses = new DenoiserTraining(tokenizer, textEncoder, unet, vae, scalingFactor,
                    alphasCumprod).train(denoiser, settings, manager, progress);

            DemoModelWriter.write(output, configs, vocabulary, textParameters, unetParameters, vaeParameters,
                    settings.storedDtype(), settings.seed());
            double seconds = (System.nanoTime() - start) / 1e9;
            Result result = new Result(output, scalingFactor, autoencoderLosses, unetLosses, seconds);
            writeReport(output, settings, result);
            return result;
        }
    }

    /** {@code loss-curve.png} and {@code training-log.json} next to the model's folders. */
    private static void writeReport(Path output, Settings settings, Result result) {
        LossCurve.write(output.resolve("loss-curve.png"), List.of(
                new LossCurve.Series("autoencoder: L1 + L2 + KL", result.autoencoderLosses()),
                new LossCurve.Series("unet: noise-prediction MSE", result.unetLosses())));
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("seed", settings.seed());
        log.put("autoencoder_steps", settings.autoencoderSteps());
        log.put("unet_steps", settings.unetSteps());
        log.put("batch_size", settings.batchSize());
        log.put("caption_dropout", DenoiserTraining.CAPTION_DROPOUT);
        log.put("stored_dtype", settings.storedDtype().toString());
        log.put("scaling_factor", result.scalingFactor());
        log.put("seconds", Math.round(result.seconds()));
        log.put("intra_op_threads", JniUtils.getNumThreads());
        log.put("autoencoder_losses", result.autoencoderLosses());
        log.put("unet_losses", result.unetLosses());
        try {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(output.resolve("training-log.json").toFile(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the training log to " + output, e);
        }
    }
}
