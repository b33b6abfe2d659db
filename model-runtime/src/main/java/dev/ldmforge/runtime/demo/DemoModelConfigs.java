package dev.ldmforge.runtime.demo;

import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.textencoder.ClipTextConfig;
import dev.ldmforge.runtime.unet.UNet2DConditionConfig;
import dev.ldmforge.runtime.vae.AutoencoderKLConfig;

/**
 * The demo model's architecture, as the config files of its diffusers folder: 32×32 pictures, a VAE that downsamples
 * four times into 8×8×4 latents, a two-level text-conditioned UNet and a two-layer CLIP text encoder over 16 tokens.
 * Sized so the whole model trains on two CPU cores in well under an hour and ships in a few megabytes.
 */
public record DemoModelConfigs(String textEncoder, String unet, String vae, String scheduler) {
    public static final int IMAGE_SIZE = 32;

    /** The configs for a tokenizer of {@code vocabularySize} tokens and latents scaled by {@code scalingFactor}. */
    public static DemoModelConfigs of(int vocabularySize, int bosTokenId, int eosTokenId, double scalingFactor) {
        String text = """
                {"_name_or_path": "ldmforge-demo", "architectures": ["CLIPTextModel"], "model_type": "clip_text_model",
                 "hidden_size": 64, "intermediate_size": 256, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "max_position_embeddings": 16, "vocab_size": %d, "hidden_act": "quick_gelu", "layer_norm_eps": 1e-5,
                 "projection_dim": 64, "bos_token_id": %d, "eos_token_id": %d, "pad_token_id": %d,
                 "torch_dtype": "float32"}
                """.formatted(vocabularySize, bosTokenId, eosTokenId, eosTokenId);
        String unet = """
                {"_class_name": "UNet2DConditionModel", "sample_size": 8, "in_channels": 4, "out_channels": 4,
                 "block_out_channels": [64, 128], "layers_per_block": 1,
                 "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
                 "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
                 "cross_attention_dim": 64, "attention_head_dim": 8, "norm_num_groups": 32}
                """;
        String vae = """
                {"_class_name": "AutoencoderKL", "in_channels": 3, "out_channels": 3, "latent_channels": 4,
                 "block_out_channels": [16, 32, 64], "layers_per_block": 1,
                 "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
                 "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"],
                 "norm_num_groups": 16, "sample_size": %d, "scaling_factor": %s}
                """.formatted(IMAGE_SIZE, Double.toString(scalingFactor));
        // Stable Diffusion 1.5's noise schedule, sampled with DDIM by default: PNDM, SD 1.5's own default, loses
        // colours at guidance 7.5 on this small model (README, "The demo model") where DDIM, Euler and DPM++ do not.
        String scheduler = """
                {"_class_name": "DDIMScheduler", "beta_start": 0.00085, "beta_end": 0.012,
                 "beta_schedule": "scaled_linear", "num_train_timesteps": 1000, "set_alpha_to_one": false,
                 "steps_offset": 1, "clip_sample": false, "prediction_type": "epsilon"}
                """;
        return new DemoModelConfigs(text, unet, vae, scheduler);
    }

    public ClipTextConfig textEncoderConfig() {
        return ClipTextConfig.from(JsonConfig.parse(textEncoder, "demo/text_encoder/config.json"));
    }

    public UNet2DConditionConfig unetConfig() {
        return UNet2DConditionConfig.from(JsonConfig.parse(unet, "demo/unet/config.json"));
    }

    public AutoencoderKLConfig vaeConfig() {
        return AutoencoderKLConfig.from(JsonConfig.parse(vae, "demo/vae/config.json"));
    }
}
