package dev.ldmforge.runtime.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.ldmforge.runtime.nn.Conv2d;
import dev.ldmforge.runtime.nn.Intermediates;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.nn.Scope;
import dev.ldmforge.runtime.unet.Attention;

/**
 * diffusers' {@code AutoencoderKL}: images in [-1, 1] to a latent distribution ({@code encoder}, {@code quant_conv})
 * and latents back to images ({@code post_quant_conv}, {@code decoder}). Building it from a config declares every
 * weight under its diffusers state-dict key in the given {@link Parameters}.
 */
public final class AutoencoderKL {
    private static final float LOGVAR_MIN = -30f;
    private static final float LOGVAR_MAX = 20f;

    private final AutoencoderKLConfig config;
    private final Encoder encoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;
    private final Decoder decoder;

    public AutoencoderKL(AutoencoderKLConfig config, Parameters parameters) {
        this(config, parameters, 0);
    }

    /** @param attentionQueryChunk queries per mid-block attention chunk for large images; 0 = no chunking */
    public AutoencoderKL(AutoencoderKLConfig config, Parameters parameters, int attentionQueryChunk) {
        this.config = config;
        Scope root = parameters.root();
        Attention.Options options = new Attention.Options(false, attentionQueryChunk);
        long latent = config.latentChannels();
        this.encoder = new Encoder(root.child("encoder"), config, options);
        this.quantConv = new Conv2d(root.child("quant_conv"), 2 * latent, 2 * latent, 1, 1, 0);
        this.postQuantConv = new Conv2d(root.child("post_quant_conv"), latent, latent, 1, 1, 0);
        this.decoder = new Decoder(root.child("decoder"), config, options);
    }

    public AutoencoderKLConfig config() {
        return config;
    }

    /** Latents are multiplied by this after {@link #encode} and divided by it before {@link #decode}. */
    public double scalingFactor() {
        return config.scalingFactor();
    }

    /** image [B, 3, H, W] in [-1, 1] -> the latent distribution, [B, latent, H/f, W/f] each, in the image's manager. */
    public DiagonalGaussianDistribution encode(NDArray image) {
        NDList dist = Intermediates.freedAfterAll(() -> {
            NDList moments = quantConv.forward(encoder.forward(image)).split(2, 1);
            NDArray logvar = moments.get(1).clip(LOGVAR_MIN, LOGVAR_MAX);
            return new NDList(moments.get(0), logvar, logvar.mul(0.5f).exp());
        }, image);
        return new DiagonalGaussianDistribution(dist.get(0), dist.get(1), dist.get(2));
    }

    /** Latents already divided by {@link #scalingFactor} [B, latent, h, w] -> image [B, 3, h·f, w·f], about [-1, 1]. */
    public NDArray decode(NDArray scaledLatents) {
        return Intermediates.freedAfter(() -> decoder.forward(postQuantConv.forward(scaledLatents)), scaledLatents);
    }
}
