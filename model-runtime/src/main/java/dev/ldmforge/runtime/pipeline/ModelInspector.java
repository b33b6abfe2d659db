package dev.ldmforge.runtime.pipeline;

import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.hub.HubModels;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.schedulers.SchedulerConfig;
import dev.ldmforge.runtime.schedulers.SchedulerFactory;
import dev.ldmforge.runtime.textencoder.ClipTextConfig;
import dev.ldmforge.runtime.textencoder.ClipTextModel;
import dev.ldmforge.runtime.textencoder.ClipTextModelWithProjection;
import dev.ldmforge.runtime.unet.UNet2DConditionConfig;
import dev.ldmforge.runtime.unet.UNet2DConditionModel;
import dev.ldmforge.runtime.vae.AutoencoderKL;
import dev.ldmforge.runtime.vae.AutoencoderKLConfig;
import dev.ldmforge.runtime.weights.PipelineCheckpoint;
import dev.ldmforge.runtime.weights.PipelineComponent;
import dev.ldmforge.runtime.weights.TensorSource;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Builds a {@link ModelReport}: from the configs alone (networks declared, no weights) or from a full load. */
public final class ModelInspector {
    private ModelInspector() {
    }

    public static ModelReport inspect(String model, LoadOptions options, boolean configOnly) {
        if (!configOnly) {
            // A hub id is resolved once, so that the weights loaded and the dtypes listed are of one commit.
            String pinned = model.equals(TinyModel.ID) ? model : pinned(model, options);
            // Inspecting tokenizes nothing: a single file needs no tokenizer here.
            try (StableDiffusion sd = StableDiffusion.load(pinned, options, false)) {
                Map<String, Map<String, Long>> dtypes = model.equals(TinyModel.ID) ? Map.of() : storedDtypes(pinned,
                        options);
                return report(model, false, sd.info().weightsSha256(), sd.configs(), dtypes);
            }
        }
        if (model.equals(TinyModel.ID)) {
            return report(model, true, null, TinyModel.configs().pipeline(), Map.of());
        }
        try (PipelineCheckpoint checkpoint = PipelineCheckpoint.openConfigs(
                ModelLocation.resolve(model, options, HubModels.Fetch.CONFIGS).path(), options.checkpoint())) {
            return report(model, true, null, PipelineConfigs.read(checkpoint), Map.of());
        }
    }

    /** A hub id as {@code ORG/NAME@COMMIT} of the snapshot it resolves to now; other names unchanged. */
    private static String pinned(String model, LoadOptions options) {
        ModelLocation location = ModelLocation.resolve(model, options, HubModels.Fetch.ALL);
        return location.revision() != null ? location.id() + "@" + location.revision() : model;
    }

    /** diffusers' default image size for a model, from its configs alone: UNet sample_size × VAE scale factor. */
    public static int defaultImageSize(String model, LoadOptions options) {
        return inspect(model, options, true).defaultImageSize();
    }

    private static Map<String, Map<String, Long>> storedDtypes(String model, LoadOptions options) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        try (PipelineCheckpoint checkpoint = PipelineCheckpoint.open(
                ModelLocation.resolve(model, options, HubModels.Fetch.ALL).path(), options.checkpoint())) {
            for (PipelineComponent c : checkpoint.type().components()) {
                if (!c.hasWeights()) {
                    continue;
                }
                Map<String, Long> counts = new TreeMap<>();
                try (TensorSource source = checkpoint.weights(c)) {
                    for (String key : source.keys()) {
                        counts.merge(source.info(key).dtype().name(), 1L, Long::sum);
                    }
                }
                out.put(c.folder(), counts);
            }
        }
        return out;
    }

    private static ModelReport report(String model, boolean configOnly, String hash, PipelineConfigs configs,
                                      Map<String, Map<String, Long>> dtypes) {
        UNet2DConditionConfig unet = configs.unet();
        AutoencoderKLConfig vae = configs.vae();
        JsonConfig scheduler = configs.scheduler();
        Parameters unetParams = new Parameters();
        new UNet2DConditionModel(unet, unetParams);
        Parameters vaeParams = new Parameters();
        new AutoencoderKL(vae, vaeParams);
        SchedulerConfig sched = scheduler == null ? null : SchedulerFactory.of(scheduler, null).config();

        Map<String, ModelReport.Component> components = new LinkedHashMap<>();
        Parameters textParams = new Parameters();
        new ClipTextModel(configs.text(), textParams.root());
        components.put("text_encoder", textEncoder("CLIPTextModel", configs.text(), textParams,
                dtypes.get("text_encoder")));
        if (configs.xl()) {
            Parameters text2Params = new Parameters();
            new ClipTextModelWithProjection(configs.text2(), text2Params.root());
            components.put("text_encoder_2", textEncoder("CLIPTextModelWithProjection", configs.text2(),
                    text2Params, dtypes.get("text_encoder_2")));
        }
        Map<String, Object> unetArchitecture = ordered(
                "in_channels", unet.inChannels(), "out_channels", unet.outChannels(),
                "block_out_channels", Arrays.toString(unet.blockOutChannels()),
                "layers_per_block", Arrays.toString(unet.layersPerBlock()),
                "attention_heads", Arrays.toString(unet.attentionHeads()),
                "cross_attention_dim", Arrays.toString(unet.crossAttentionDim()),
                "transformer_layers_per_block", Arrays.toString(unet.transformerLayersPerBlock()),
                "use_linear_projection", unet.useLinearProjection(), "upcast_attention", unet.upcastAttention(),
                "sample_size", unet.sampleSize());
        if (unet.additionEmbedType() != null) {
            unetArchitecture.putAll(ordered("addition_embed_type", unet.additionEmbedType(),
                    "addition_time_embed_dim", unet.additionTimeEmbedDim(),
                    "projection_class_embeddings_input_dim", unet.projectionClassEmbeddingsInputDim()));
        }
        components.put("unet", new ModelReport.Component("UNet2DConditionModel", unetParams.count(),
                dtypes.getOrDefault("unet", Map.of()), unetArchitecture));
        components.put("vae", new ModelReport.Component("AutoencoderKL", vaeParams.count(),
                dtypes.getOrDefault("vae", Map.of()), ordered(
                "block_out_channels", Arrays.toString(vae.blockOutChannels()),
                "layers_per_block", vae.layersPerBlock(), "latent_channels", vae.latentChannels(),
                "scaling_factor", vae.scalingFactor(), "force_upcast", vae.forceUpcast())));
        if (sched != null) { // a config-only folder may list no scheduler
            components.put("scheduler", new ModelReport.Component(sched.schedulerClass().className(), 0, Map.of(),
                    ordered("prediction_type", sched.predictionType().configName(),
                            "num_train_timesteps", scheduler.integer("num_train_timesteps", 1000),
                            "beta_schedule", scheduler.string("beta_schedule", "linear"))));
        }
        return new ModelReport(model, configs.family(), configOnly, hash,
                StableDiffusion.defaultImageSize(unet, vae), components);
    }

    private static ModelReport.Component textEncoder(String className, ClipTextConfig text, Parameters params,
                                                     Map<String, Long> dtypes) {
        Map<String, Object> architecture = ordered(
                "hidden_size", text.hiddenSize(), "num_hidden_layers", text.numHiddenLayers(),
                "num_attention_heads", text.numAttentionHeads(), "intermediate_size", text.intermediateSize(),
                "hidden_act", text.hiddenAct().configName(), "vocab_size", text.vocabSize(),
                "max_position_embeddings", text.maxPositionEmbeddings());
        if (className.endsWith("WithProjection")) {
            architecture.put("projection_dim", text.projectionDim());
        }
        return new ModelReport.Component(className, params.count(), dtypes == null ? Map.of() : dtypes,
                architecture);
    }

    private static Map<String, Object> ordered(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
