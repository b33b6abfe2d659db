package dev.ldmforge.runtime.pipeline;

import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.hub.HubModels;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.schedulers.SchedulerConfig;
import dev.ldmforge.runtime.schedulers.SchedulerFactory;
import dev.ldmforge.runtime.textencoder.ClipTextConfig;
import dev.ldmforge.runtime.textencoder.ClipTextModel;
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
            try (StableDiffusion sd = StableDiffusion.load(pinned, options)) {
                Map<String, Map<String, Long>> dtypes = model.equals(TinyModel.ID) ? Map.of() : storedDtypes(pinned,
                        options);
                return report(model, false, sd.info().weightsSha256(), sd.textEncoder().config(),
                        sd.unet().config(), sd.vae().config(), sd.schedulerConfig(), dtypes);
            }
        }
        if (model.equals(TinyModel.ID)) {
            TinyModel.Configs c = TinyModel.configs();
            return report(model, true, null, c.text(), c.unet(), c.vae(), c.scheduler(), Map.of());
        }
        try (PipelineCheckpoint checkpoint = PipelineCheckpoint.openConfigs(
                ModelLocation.resolve(model, options, HubModels.Fetch.CONFIGS).path(), options.checkpoint())) {
            return report(model, true, null, ClipTextConfig.from(checkpoint.config(PipelineComponent.TEXT_ENCODER)),
                    UNet2DConditionConfig.from(checkpoint.config(PipelineComponent.UNET)),
                    AutoencoderKLConfig.from(checkpoint.config(PipelineComponent.VAE)),
                    checkpoint.config(PipelineComponent.SCHEDULER), Map.of());
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
            for (PipelineComponent c : new PipelineComponent[] {PipelineComponent.TEXT_ENCODER, PipelineComponent.UNET,
                    PipelineComponent.VAE}) {
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

    private static ModelReport report(String model, boolean configOnly, String hash, ClipTextConfig text,
                                      UNet2DConditionConfig unet, AutoencoderKLConfig vae, JsonConfig scheduler,
                                      Map<String, Map<String, Long>> dtypes) {
        Parameters textParams = new Parameters();
        new ClipTextModel(text, textParams.root());
        Parameters unetParams = new Parameters();
        new UNet2DConditionModel(unet, unetParams);
        Parameters vaeParams = new Parameters();
        new AutoencoderKL(vae, vaeParams);
        SchedulerConfig sched = SchedulerFactory.of(scheduler, null).config();

        Map<String, ModelReport.Component> components = new LinkedHashMap<>();
        components.put("text_encoder", new ModelReport.Component("CLIPTextModel", textParams.count(),
                dtypes.getOrDefault("text_encoder", Map.of()), ordered(
                "hidden_size", text.hiddenSize(), "num_hidden_layers", text.numHiddenLayers(),
                "num_attention_heads", text.numAttentionHeads(), "intermediate_size", text.intermediateSize(),
                "hidden_act", text.hiddenAct().configName(), "vocab_size", text.vocabSize(),
                "max_position_embeddings", text.maxPositionEmbeddings())));
        components.put("unet", new ModelReport.Component("UNet2DConditionModel", unetParams.count(),
                dtypes.getOrDefault("unet", Map.of()), ordered(
                "in_channels", unet.inChannels(), "out_channels", unet.outChannels(),
                "block_out_channels", Arrays.toString(unet.blockOutChannels()),
                "layers_per_block", Arrays.toString(unet.layersPerBlock()),
                "attention_heads", Arrays.toString(unet.attentionHeads()),
                "cross_attention_dim", Arrays.toString(unet.crossAttentionDim()),
                "transformer_layers_per_block", Arrays.toString(unet.transformerLayersPerBlock()),
                "use_linear_projection", unet.useLinearProjection(), "upcast_attention", unet.upcastAttention(),
                "sample_size", unet.sampleSize())));
        components.put("vae", new ModelReport.Component("AutoencoderKL", vaeParams.count(),
                dtypes.getOrDefault("vae", Map.of()), ordered(
                "block_out_channels", Arrays.toString(vae.blockOutChannels()),
                "layers_per_block", vae.layersPerBlock(), "latent_channels", vae.latentChannels(),
                "scaling_factor", vae.scalingFactor())));
        components.put("scheduler", new ModelReport.Component(sched.schedulerClass().className(), 0, Map.of(),
                ordered("prediction_type", sched.predictionType().configName(),
                        "num_train_timesteps", scheduler.integer("num_train_timesteps", 1000),
                        "beta_schedule", scheduler.string("beta_schedule", "linear"))));
        return new ModelReport(model, StableDiffusion.family(text), configOnly, hash,
                StableDiffusion.defaultImageSize(unet, vae), components);
    }

    private static Map<String, Object> ordered(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
