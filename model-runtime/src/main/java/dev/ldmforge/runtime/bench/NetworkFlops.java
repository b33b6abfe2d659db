package dev.ldmforge.runtime.bench;

import dev.ldmforge.runtime.textencoder.ClipTextConfig;
import dev.ldmforge.runtime.unet.UNet2DConditionConfig;
import dev.ldmforge.runtime.vae.AutoencoderKLConfig;

/**
 * Floating-point operations of one forward call, counted from the architecture (a multiply-add is 2 FLOPs):
 * <ul>
 *   <li>convolution: 2 · C_in · k² · C_out · H_out · W_out per image;</li>
 *   <li>linear (and 1×1 projections): 2 · in · out per token;</li>
 *   <li>attention core: q·kᵀ and p·v, 2 · Lq · Lk · inner each, so 4 · Lq · Lk · inner per image;</li>
 *   <li>not counted: norms, activations, softmax, residual adds, up-sampling copies (each a few FLOPs per element,
 *       below 1% of any of these networks).</li>
 * </ul>
 * The walks mirror the constructors of {@code UNet2DConditionModel}, {@code ClipTextModel} and the VAE
 * {@code Decoder}.
 */
public final class NetworkFlops {
    private NetworkFlops() {
    }

    /** One UNet call on [batch, in_channels, h, w] latents with {@code textTokens} text states per image. */
    public static double unet(UNet2DConditionConfig c, int batch, int h, int w, int textTokens) {
        int[] ch = c.blockOutChannels();
        int levels = ch.length;
        long temb = c.timeEmbedDim();
        double f = conv(c.inChannels(), ch[0], c.convInKernel(), h, w)
                + linear(ch[0], temb, 1) + linear(temb, temb, 1)
                + linear(c.projectionClassEmbeddingsInputDim(), temb, 1) + (c.additionEmbedType() == null ? 0
                : linear(temb, temb, 1));
        for (int i = 0; i < levels; i++) {
            for (int r = 0; r < c.layersPerBlock()[i]; r++) {
                f += resnet(r == 0 ? ch[Math.max(0, i - 1)] : ch[i], ch[i], temb, h, w);
                if (c.downCrossAttention()[i]) {
                    f += transformer(c, i, ch[i], h, w, textTokens, c.onlyCrossAttention()[i]);
                }
            }
            if (i < levels - 1) {
                h = (h + 1) / 2;
                w = (w + 1) / 2;
                f += conv(ch[i], ch[i], 3, h, w);
            }
        }
        int top = ch[levels - 1];
        f += 2 * resnet(top, top, temb, h, w) + transformer(c, levels - 1, top, h, w, textTokens, false);
        for (int i = 0; i < levels; i++) {
            int j = levels - 1 - i;
            int resnets = c.layersPerBlock()[j] + 1;
            for (int r = 0; r < resnets; r++) {
                long in = r == 0 ? ch[Math.min(levels - 1, j + 1)] : ch[j];
                long skip = r == resnets - 1 ? ch[Math.max(0, j - 1)] : ch[j];
                f += resnet(in + skip, ch[j], temb, h, w);
                if (c.upCrossAttention()[i]) {
                    f += transformer(c, j, ch[j], h, w, textTokens, c.onlyCrossAttention()[j]);
                }
            }
            if (i < levels - 1) {
                h *= 2;
                w *= 2;
                f += conv(ch[j], ch[j], 3, h, w);
            }
        }
        return batch * (f + conv(ch[0], c.outChannels(), c.convOutKernel(), h, w));
    }

    /** One CLIP text encoder call on [batch, tokens] ids (all layers, as with clip_skip 0). */
    public static double textEncoder(ClipTextConfig c, int batch, int tokens) {
        long d = c.hiddenSize();
        double layer = 4 * linear(d, d, tokens) + attention(tokens, tokens, d)
                + linear(d, c.intermediateSize(), tokens) + linear(c.intermediateSize(), d, tokens);
        return batch * c.numHiddenLayers() * layer;
    }

    /** One VAE decode (post_quant_conv + decoder) of [batch, latent_channels, h, w] latents. */
    public static double vaeDecoder(AutoencoderKLConfig c, int batch, int h, int w) {
        int[] ch = c.blockOutChannels();
        int levels = ch.length;
        long latent = c.latentChannels();
        int top = ch[levels - 1];
        double f = conv(latent, latent, 1, h, w) + conv(latent, top, 3, h, w)
                + 2 * resnet(top, top, 0, h, w) + 4 * linear(top, top, (long) h * w)
                + attention((long) h * w, (long) h * w, top);
        for (int i = 0; i < levels; i++) {
            int j = levels - 1 - i;
            for (int r = 0; r <= c.layersPerBlock(); r++) {
                f += resnet(r == 0 ? ch[Math.min(levels - 1, j + 1)] : ch[j], ch[j], 0, h, w);
            }
            if (i < levels - 1) {
                h *= 2;
                w *= 2;
                f += conv(ch[j], ch[j], 3, h, w);
            }
        }
        return batch * (f + conv(ch[0], c.outChannels(), 3, h, w));
    }

    /** ResnetBlock2D: two 3×3 convs, the time projection, a 1×1 shortcut when the width changes. */
    private static double resnet(long in, long out, long temb, int h, int w) {
        return conv(in, out, 3, h, w) + conv(out, out, 3, h, w) + linear(temb, out, 1)
                + (in != out ? conv(in, out, 1, h, w) : 0);
    }

    /** Transformer2DModel at one level: proj_in, the BasicTransformerBlocks, proj_out. */
    private static double transformer(UNet2DConditionConfig c, int level, long dim, int h, int w, int textTokens,
            boolean onlyCross) {
        long n = (long) h * w;
        long context = c.crossAttentionDim()[level];
        double attn1 = linear(dim, dim, n) * 2 + (onlyCross
                ? linear(context, dim, textTokens) * 2 + attention(n, textTokens, dim)
                : linear(dim, dim, n) * 2 + attention(n, n, dim));
        double attn2 = linear(dim, dim, n) * 2 + linear(context, dim, textTokens) * 2 + attention(n, textTokens, dim);
        double feedForward = linear(dim, 8 * dim, n) + linear(4 * dim, dim, n);
        return 2 * linear(dim, dim, n) + c.transformerLayersPerBlock()[level] * (attn1 + attn2 + feedForward);
    }

    private static double conv(long in, long out, int kernel, int h, int w) {
        return 2.0 * in * kernel * kernel * out * h * w;
    }

    private static double linear(long in, long out, long tokens) {
        return 2.0 * in * out * tokens;
    }

    private static double attention(long queries, long keys, long inner) {
        return 4.0 * queries * keys * inner;
    }
}
