package dev.ldmforge.runtime.pipeline;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.hub.HubModels;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.schedulers.SchedulerFactory;
import dev.ldmforge.runtime.textencoder.ClipActivation;
import dev.ldmforge.runtime.textencoder.ClipTextConfig;
import dev.ldmforge.runtime.textencoder.ClipTextModel;
import dev.ldmforge.runtime.tokenizer.ClipTokenizer;
import dev.ldmforge.runtime.unet.UNet2DConditionConfig;
import dev.ldmforge.runtime.unet.UNet2DConditionModel;
import dev.ldmforge.runtime.vae.AutoencoderKL;
import dev.ldmforge.runtime.vae.AutoencoderKLConfig;
import dev.ldmforge.runtime.weights.PipelineCheckpoint;
import dev.ldmforge.runtime.weights.PipelineComponent;
import dev.ldmforge.runtime.weights.TensorSource;
import dev.ldmforge.runtime.weights.WeightsException;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Predicate;

/**
 * A loaded Stable Diffusion model: tokenizer, text encoder, UNet, VAE and the scheduler config, with their weights
 * on one device in one dtype. Built from the model's own config files, never from assumptions about a checkpoint.
 */
public final class StableDiffusion implements AutoCloseable {
    private final ClipTokenizer tokenizer;
    private final ClipTextModel textEncoder;
    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;
    private final JsonConfig schedulerConfig;
    private final ModelInfo info;
    private final DeviceAndDtype target;
    private final NDManager weights;
    private final Components parameters;

    /** The parameters of each network, for inspection (counts, keys). */
    public record Components(Parameters textEncoder, Parameters unet, Parameters vae) {
    }

    StableDiffusion(ClipTokenizer tokenizer, ClipTextModel textEncoder, UNet2DConditionModel unet, AutoencoderKL vae,
                    JsonConfig schedulerConfig, String id, String revision, DeviceAndDtype target, NDManager weights,
                    Components parameters) {
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vae = vae;
        this.schedulerConfig = schedulerConfig;
        this.target = target;
        this.weights = weights;
        this.parameters = parameters;
        SchedulerFactory defaults = SchedulerFactory.of(schedulerConfig, null);
        this.info = new ModelInfo(id, revision, family(textEncoder.config()), hash(parameters), target.deviceName(),
                target.dtypeName(), defaultImageSize(unet.config(), vae.config()),
                defaultImageSize(unet.config(), vae.config()),
                defaults.config().schedulerClass().className(), defaults.config().predictionType().configName());
    }

    /**
     * Loads {@code tiny} (the built-in random model), {@code demo} (the built-in trained model), a diffusers folder,
     * a single {@code .safetensors} file, or a Hugging Face id {@code ORG/NAME[@REVISION]} from the Hugging Face
     * cache, downloading what it lacks ({@link ModelLocation} has the order).
     */
    public static StableDiffusion load(String model, LoadOptions options) {
        DeviceAndDtype target = DeviceAndDtype.parse(options.device(), options.dtype());
        if (model.equals(TinyModel.ID)) {
            return TinyModel.build(target, options.attentionQueryChunk());
        }
        ModelLocation location = ModelLocation.resolve(model, options, HubModels.Fetch.ALL);
        try (PipelineCheckpoint checkpoint = PipelineCheckpoint.open(location.path(), options.checkpoint())) {
            ClipTokenizer tokenizer = Tokenizers.of(checkpoint, options, model);
            return assemble(tokenizer,
                    ClipTextConfig.from(checkpoint.config(PipelineComponent.TEXT_ENCODER)),
                    UNet2DConditionConfig.from(checkpoint.config(PipelineComponent.UNET)),
                    AutoencoderKLConfig.from(checkpoint.config(PipelineComponent.VAE)),
                    checkpoint.config(PipelineComponent.SCHEDULER), location.id(), location.revision(), target,
                    options.attentionQueryChunk(),
                    (parameters, component, manager) -> {
                        try (TensorSource source = checkpoint.weights(component)) {
                            parameters.load(source, manager, target.dtype(), component == PipelineComponent.TEXT_ENCODER
                                    ? ClipTextModel::isBuffer : (Predicate<String>) key -> false);
                        }
                    });
        }
    }

    /** Fills one network's declared parameters. */
    @FunctionalInterface
    interface WeightFiller {
        void fill(Parameters parameters, PipelineComponent component, NDManager manager);
    }

    static StableDiffusion assemble(ClipTokenizer tokenizer, ClipTextConfig textConfig, UNet2DConditionConfig unetConfig,
                                    AutoencoderKLConfig vaeConfig, JsonConfig schedulerConfig, String id,
                                    String revision, DeviceAndDtype target, int attentionQueryChunk, WeightFiller filler) {
        if (textConfig.vocabSize() < tokenizer.vocabularySize()) {
            throw new WeightsException(id + ": the tokenizer has " + tokenizer.vocabularySize() + " tokens but the "
                    + "text encoder's vocab_size is " + textConfig.vocabSize());
        }
        if (textConfig.hiddenSize() != unetConfig.crossAttentionDim()[0]) {
            throw new WeightsException(id + ": text encoder hidden_size " + textConfig.hiddenSize()
                    + " != unet cross_attention_dim " + unetConfig.crossAttentionDim()[0]);
        }
        NDManager weights = NDManager.newBaseManager(target.device(), "PyTorch");
        try {
            Parameters textParams = new Parameters();
            ClipTextModel text = new ClipTextModel(textConfig, textParams.root());
            Parameters unetParams = new Parameters();
            UNet2DConditionModel unet = new UNet2DConditionModel(unetConfig, unetParams, attentionQueryChunk);
            Parameters vaeParams = new Parameters();
            AutoencoderKL vae = new AutoencoderKL(vaeConfig, vaeParams, attentionQueryChunk);
            filler.fill(textParams, PipelineComponent.TEXT_ENCODER, weights);
            filler.fill(unetParams, PipelineComponent.UNET, weights);
            filler.fill(vaeParams, PipelineComponent.VAE, weights);
            return new StableDiffusion(tokenizer, text, unet, vae, schedulerConfig, id, revision, target, weights,
                    new Components(textParams, unetParams, vaeParams));
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /** diffusers' default image size: the UNet's sample_size in pixels (512 when the config does not say). */
    static int defaultImageSize(UNet2DConditionConfig unet, AutoencoderKLConfig vae) {
        return unet.sampleSize() > 0 ? unet.sampleSize() * vaeScaleFactor(vae) : 512;
    }

    /** Pixels per latent: the VAE halves the size at every level but the last. */
    static int vaeScaleFactor(AutoencoderKLConfig vae) {
        return 1 << (vae.blockOutChannels().length - 1);
    }

    /** OpenAI CLIP (SD 1.x) uses quick_gelu; OpenCLIP as diffusers ships it for SD 2.x uses gelu. */
    static String family(ClipTextConfig text) {
        return text.hiddenAct() == ClipActivation.QUICK_GELU ? "SD1" : "SD2";
    }

    private static String hash(Components c) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            c.textEncoder().digest(digest);
            c.unet().digest(digest);
            c.vae().digest(digest);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    public ClipTextModel textEncoder() {
        return textEncoder;
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    public JsonConfig schedulerConfig() {
        return schedulerConfig;
    }

    public ModelInfo info() {
        return info;
    }

    public DeviceAndDtype target() {
        return target;
    }

    public Components parameters() {
        return parameters;
    }

    /** The manager holding the weights; generation runs in sub-managers of it. */
    NDManager weightsManager() {
        return weights;
    }

    DataType dtype() {
        return target.dtype();
    }

    @Override
    public void close() {
        weights.close();
    }
}
