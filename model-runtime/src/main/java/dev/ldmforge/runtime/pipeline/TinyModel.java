package dev.ldmforge.runtime.pipeline;

import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.textencoder.ClipTextConfig;
import dev.ldmforge.runtime.tokenizer.TinyVocabulary;
import dev.ldmforge.runtime.unet.UNet2DConditionConfig;
import dev.ldmforge.runtime.vae.AutoencoderKLConfig;
import dev.ldmforge.runtime.weights.PipelineType;

import java.util.List;

/**
 * The built-in {@code tiny} model: an SD-1-style LDM small enough for every machine, with weights from a fixed seed
 * and a tokenizer vocabulary the project generates itself, so nothing is downloaded. 64×64 images from 32×32
 * latents; its pictures look like coloured noise because the weights are random.
 */
final class TinyModel {
    static final String ID = "tiny";
    private static final long SEED = 20240229L;

    private TinyModel() {
    }

    /** The tiny model's configs, as a diffusers folder would hold them. */
    record Configs(TinyVocabulary vocabulary, ClipTextConfig text, UNet2DConditionConfig unet,
                   AutoencoderKLConfig vae, JsonConfig scheduler) {
        PipelineConfigs pipeline() {
            return new PipelineConfigs(PipelineType.STABLE_DIFFUSION, text, null, unet, vae, scheduler, true);
        }
    }

    static StableDiffusion build(DeviceAndDtype target, int attentionQueryChunk) {
        Configs c = configs();
        return StableDiffusion.assemble(List.of(c.vocabulary().tokenizer()), c.pipeline(), ID, null, target,
                attentionQueryChunk, (parameters, component, manager, dtype) -> parameters.initRandom(manager,
                        dtype, SEED + component.ordinal(), Parameters.Initializer.pytorchLike()));
    }

    static Configs configs() {
        TinyVocabulary vocabulary = TinyVocabulary.generate();
        ClipTextConfig text = ClipTextConfig.from(JsonConfig.parse("""
                {"hidden_size": 32, "intermediate_size": 37, "num_hidden_layers": 5, "num_attention_heads": 4,
                 "max_position_embeddings": 77, "vocab_size": %d, "hidden_act": "quick_gelu",
                 "layer_norm_eps": 1e-5, "projection_dim": 32, "bos_token_id": 0, "eos_token_id": 2,
                 "pad_token_id": 1, "model_type": "clip_text_model"}""".formatted(vocabulary.size()),
                "tiny/text_encoder/config.json"));
        UNet2DConditionConfig unet = UNet2DConditionConfig.from(JsonConfig.parse("""
                {"_class_name": "UNet2DConditionModel", "sample_size": 32, "in_channels": 4, "out_channels": 4,
                 "block_out_channels": [32, 64], "layers_per_block": 2,
                 "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D"],
                 "up_block_types": ["CrossAttnUpBlock2D", "UpBlock2D"],
                 "cross_attention_dim": 32, "attention_head_dim": 8, "norm_num_groups": 32}""",
                "tiny/unet/config.json"));
        AutoencoderKLConfig vae = AutoencoderKLConfig.from(JsonConfig.parse("""
                {"_class_name": "AutoencoderKL", "in_channels": 3, "out_channels": 3, "latent_channels": 4,
                 "block_out_channels": [32, 64], "layers_per_block": 1,
                 "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D"],
                 "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D"],
                 "norm_num_groups": 32, "sample_size": 64, "scaling_factor": 0.18215}""",
                "tiny/vae/config.json"));
        // Stable Diffusion 1.5's scheduler settings.
        JsonConfig scheduler = JsonConfig.parse("""
                {"_class_name": "PNDMScheduler", "beta_start": 0.00085, "beta_end": 0.012,
                 "beta_schedule": "scaled_linear", "num_train_timesteps": 1000, "set_alpha_to_one": false,
                 "skip_prk_steps": true, "steps_offset": 1, "clip_sample": false}""",
                "tiny/scheduler/scheduler_config.json");
        return new Configs(vocabulary, text, unet, vae, scheduler);
    }
}
