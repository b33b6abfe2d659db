package dev.ldmforge.runtime.pipeline;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.hub.HubModels;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.schedulers.SchedulerFactory;
import dev.ldmforge.runtime.textencoder.ClipTextConfig;
import dev.ldmforge.runtime.textencoder.ClipTextModel;
import dev.ldmforge.runtime.textencoder.ClipTextModelWithProjection;
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
import java.util.List;
import java.util.function.Predicate;

/**
 * A loaded Stable Diffusion model: tokenizer(s), text encoder(s), UNet, VAE and the scheduler config, with their
 * weights on one device in one dtype (an SDXL VAE with {@code force_upcast} stays float32 under a float16 model, as
 * diffusers upcasts it). Built from the model's own config files, never from assumptions about a checkpoint; the
 * pipeline type (SD 1.x/2.x or SDXL, from {@code model_index.json}) decides how prompts become conditioning.
 */
public final class StableDiffusion implements AutoCloseable {
    private final PipelineConfigs configs;
    private final ClipTokenizer tokenizer;
    private final PromptEncoder promptEncoder;
    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;
    private final ModelInfo info;
    private final DeviceAndDtype target;
    private final DataType vaeDtype;
    private final NDManager weights;
    private final Components parameters;

    /** The parameters of each network, for inspection (counts, keys); {@code textEncoder2} is null but for SDXL. */
    public record Components(Parameters textEncoder, Parameters textEncoder2, Parameters unet, Parameters vae) {
    }

    private StableDiffusion(PipelineConfigs configs, ClipTokenizer tokenizer, PromptEncoder promptEncoder,
                            UNet2DConditionModel unet, AutoencoderKL vae, String id, String revision,
                            DeviceAndDtype target, DataType vaeDtype, NDManager weights, Components parameters) {
        this.configs = configs;
        this.tokenizer = tokenizer;
        this.promptEncoder = promptEncoder;
        this.unet = unet;
        this.vae = vae;
        this.target = target;
        this.vaeDtype = vaeDtype;
        this.weights = weights;
        this.parameters = parameters;
        SchedulerFactory defaults = SchedulerFactory.of(configs.scheduler(), null);
        int size = defaultImageSize(configs.unet(), configs.vae());
        this.info = new ModelInfo(id, revision, configs.family(), hash(parameters), target.deviceName(), target.dtypeName(),
                size, size, defaults.config().schedulerClass().className(),
                defaults.config().predictionType().configName());
    }

    /**
     * Loads {@code tiny} (the built-in random model), {@code demo} (the built-in trained model), a diffusers folder,
     * a single {@code .safetensors} file, or a Hugging Face id {@code ORG/NAME[@REVISION]} from the Hugging Face
     * cache, downloading what it lacks ({@link ModelLocation} has the order).
     */
    public static StableDiffusion load(String model, LoadOptions options) {
        return load(model, options, true);
    }

    /**
     * @param withTokenizers false for {@code inspect}, which tokenizes nothing: a single file then needs no tokenizer,
     *                       and the model it returns can report its configs and weights but not encode prompts
     */
    static StableDiffusion load(String model, LoadOptions options, boolean withTokenizers) {
        DeviceAndDtype target = DeviceAndDtype.parse(options.device(), options.dtype());
        if (model.equals(TinyModel.ID)) {
            return TinyModel.build(target, options.attentionQueryChunk());
        }
        ModelLocation location = ModelLocation.resolve(model, options, HubModels.Fetch.ALL);
        try (PipelineCheckpoint checkpoint = PipelineCheckpoint.open(location.path(), options.checkpoint())) {
            PipelineConfigs configs = PipelineConfigs.read(checkpoint);
            return assemble(withTokenizers ? Tokenizers.of(model, checkpoint, options) : null, configs, location.id(), location.revision(),
                    target, options.attentionQueryChunk(), (parameters, component, manager, dtype) -> {
                        try (TensorSource source = checkpoint.weights(component)) {
                            parameters.load(source, manager, dtype, component == PipelineComponent.TEXT_ENCODER
                                    || component == PipelineComponent.TEXT_ENCODER_2
                                    ? ClipTextModel::isBuffer : (Predicate<String>) key -> false);
                        }
                    });
        }
    }

    /** Fills one network's declared parameters, in {@code dtype}. */
    @FunctionalInterface
    interface WeightFiller {
        void fill(Parameters parameters, PipelineComponent component, NDManager manager, DataType dtype);
    }

    /** @param tokenizers the tokenizer, then SDXL's tokenizer_2; null: weights only, no prompt encoder */
    static StableDiffusion assemble(List<ClipTokenizer> tokenizers, PipelineConfigs configs, String id,
                                    String revision, DeviceAndDtype target, int attentionQueryChunk, WeightFiller filler) {
        configs.check(id);
        if (tokenizers != null) {
            checkVocabulary(id, tokenizers.get(0), configs.text(), "text_encoder");
        }
        if (configs.xl() && tokenizers != null) {
            checkVocabulary(id, tokenizers.get(1), configs.text2(), "text_encoder_2");
        }
        DataType vaeDtype = configs.xl() && configs.vae().forceUpcast() ? DataType.FLOAT32 : target.dtype();
        NDManager weights = NDManager.newBaseManager(target.device(), "PyTorch");
        try {
            Parameters textParams = new Parameters();
            ClipTextModel text = new ClipTextModel(configs.text(), textParams.root());
            Parameters text2Params = configs.xl() ? new Parameters() : null;
            ClipTextModelWithProjection text2 = configs.xl()
                    ? new ClipTextModelWithProjection(configs.text2(), text2Params.root()) : null;
            Parameters unetParams = new Parameters();
            UNet2DConditionModel unet = new UNet2DConditionModel(configs.unet(), unetParams, attentionQueryChunk);
            Parameters vaeParams = new Parameters();
            AutoencoderKL vae = new AutoencoderKL(configs.vae(), vaeParams, attentionQueryChunk);
            filler.fill(textParams, PipelineComponent.TEXT_ENCODER, weights, target.dtype());
            if (text2 != null) {
                filler.fill(text2Params, PipelineComponent.TEXT_ENCODER_2, weights, target.dtype());
            }
            filler.fill(unetParams, PipelineComponent.UNET, weights, target.dtype());
            filler.fill(vaeParams, PipelineComponent.VAE, weights, vaeDtype);
            PromptEncoder prompts = tokenizers == null ? null : configs.xl()
                    ? new SdxlPromptEncoder(tokenizers.get(0), text, tokenizers.get(1), text2,
                    configs.forceZerosForEmptyPrompt())
                    : new ClipPromptEncoder(tokenizers.get(0), text);
            return new StableDiffusion(configs, tokenizers == null ? null : tokenizers.get(0), prompts, unet, vae, id, revision, target, vaeDtype,
                    weights, new Components(textParams, text2Params, unetParams, vaeParams));
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    private static void checkVocabulary(String id, ClipTokenizer tokenizer, ClipTextConfig text, String component) {
        if (text.vocabSize() < tokenizer.vocabularySize()) {
            throw new WeightsException(id + ": the tokenizer has " + tokenizer.vocabularySize() + " tokens but the "
                    + component + "'s vocab_size is " + text.vocabSize());
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

    private static String hash(Components c) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            c.textEncoder().digest(digest);
            if (c.textEncoder2() != null) {
                c.textEncoder2().digest(digest);
            }
            c.unet().digest(digest);
            c.vae().digest(digest);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The configs the networks were built from. */
    PipelineConfigs configs() {
        return configs;
    }

    /** The (first) tokenizer: the 77-token limit every prompt is cut to. */
    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    /** How this model's prompts become the UNet's conditioning. */
    PromptEncoder promptEncoder() {
        return promptEncoder;
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    public JsonConfig schedulerConfig() {
        return configs.scheduler();
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

    /** The VAE's dtype: the model's, or float32 for an SDXL VAE with force_upcast. */
    DataType vaeDtype() {
        return vaeDtype;
    }

    @Override
    public void close() {
        weights.close();
    }
}
