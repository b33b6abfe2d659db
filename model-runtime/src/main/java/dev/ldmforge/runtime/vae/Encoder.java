package dev.ldmforge.runtime.vae;

import ai.djl.ndarray.NDArray;
import dev.ldmforge.runtime.nn.Conv2d;
import dev.ldmforge.runtime.nn.GroupNorm;
import dev.ldmforge.runtime.nn.Scope;
import dev.ldmforge.runtime.nn.SiLU;
import dev.ldmforge.runtime.unet.Attention;
import dev.ldmforge.runtime.unet.DownBlock2D;
import dev.ldmforge.runtime.unet.ResnetBlock2D;
import dev.ldmforge.runtime.unet.SpatialAttention;
import dev.ldmforge.runtime.unet.UNetMidBlock2D;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' VAE {@code Encoder}: conv_in, one DownEncoderBlock2D per level (downsampling all but the last), the
 * resnet-attention-resnet mid block, norm, SiLU, conv_out to mean and log-variance (2 × latent channels).
 */
final class Encoder {
    /** diffusers hard-codes this epsilon for every VAE norm. */
    static final double EPS = 1e-6;

    private final Conv2d convIn;
    private final List<DownBlock2D> downBlocks = new ArrayList<>();
    private final UNetMidBlock2D midBlock;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    Encoder(Scope scope, AutoencoderKLConfig config, Attention.Options options) {
        int[] channels = config.blockOutChannels();
        int levels = channels.length;
        int groups = config.normNumGroups();
        ResnetBlock2D.Settings resnet = new ResnetBlock2D.Settings(0, groups, EPS, 1.0);
        this.convIn = Conv2d.same(scope.child("conv_in"), config.inChannels(), channels[0], 3);
        for (int i = 0; i < levels; i++) {
            downBlocks.add(new DownBlock2D(scope.child("down_blocks").child(i), channels[Math.max(0, i - 1)],
                    channels[i], config.layersPerBlock(), resnet, null, i == levels - 1 ? -1 : 0));
        }
        this.midBlock = new UNetMidBlock2D(scope.child("mid_block"), channels[levels - 1], resnet,
                midAttention(groups, options));
        this.convNormOut = new GroupNorm(scope.child("conv_norm_out"), groups, channels[levels - 1], EPS);
        this.convOut = Conv2d.same(scope.child("conv_out"), channels[levels - 1], 2L * config.latentChannels(), 3);
    }

    /** The mid block's single-head attention over the pixels; it has no text context. */
    static SpatialAttention.Factory midAttention(int groups, Attention.Options options) {
        return (scope, channels) -> {
            Attention attention = Attention.spatial(scope, channels, groups, EPS, options);
            return (x, context) -> attention.forwardImage(x);
        };
    }

    NDArray forward(NDArray image) {
        NDArray x = convIn.forward(image);
        for (DownBlock2D block : downBlocks) {
            x = block.forward(x, null, null, null);
        }
        x = midBlock.forward(x, null, null);
        return convOut.forward(SiLU.forward(convNormOut.forward(x)));
    }
}
