package dev.ldmforge.runtime.vae;

import ai.djl.ndarray.NDArray;
import dev.ldmforge.runtime.nn.Conv2d;
import dev.ldmforge.runtime.nn.GroupNorm;
import dev.ldmforge.runtime.nn.Intermediates;
import dev.ldmforge.runtime.nn.Scope;
import dev.ldmforge.runtime.nn.SiLU;
import dev.ldmforge.runtime.unet.Attention;
import dev.ldmforge.runtime.unet.ResnetBlock2D;
import dev.ldmforge.runtime.unet.UNetMidBlock2D;
import dev.ldmforge.runtime.unet.UpBlock2D;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' VAE {@code Decoder}: conv_in, the mid block, one UpDecoderBlock2D per level from the widest (with
 * layers_per_block + 1 resnets, upsampling all but the last), norm, SiLU, conv_out to image channels.
 */
final class Decoder {
    private final Conv2d convIn;
    private final UNetMidBlock2D midBlock;
    private final List<UpBlock2D> upBlocks = new ArrayList<>();
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    Decoder(Scope scope, AutoencoderKLConfig config, Attention.Options options) {
        int[] channels = config.blockOutChannels();
        int levels = channels.length;
        int groups = config.normNumGroups();
        ResnetBlock2D.Settings resnet = new ResnetBlock2D.Settings(0, groups, Encoder.EPS, 1.0);
        this.convIn = Conv2d.same(scope.child("conv_in"), config.latentChannels(), channels[levels - 1], 3);
        this.midBlock = new UNetMidBlock2D(scope.child("mid_block"), channels[levels - 1], resnet,
                Encoder.midAttention(groups, options));
        for (int i = 0; i < levels; i++) {
            int j = levels - 1 - i;
            upBlocks.add(new UpBlock2D(scope.child("up_blocks").child(i), channels[Math.min(levels - 1, j + 1)],
                    channels[j], new long[config.layersPerBlock() + 1], resnet, null, i < levels - 1));
        }
        this.convNormOut = new GroupNorm(scope.child("conv_norm_out"), groups, channels[0], Encoder.EPS);
        this.convOut = Conv2d.same(scope.child("conv_out"), channels[0], config.outChannels(), 3);
    }

    /** Each stage's intermediates and input are freed when it ends: peak memory is about one stage's. */
    NDArray forward(NDArray latents) {
        NDArray x = Intermediates.freedAfter(() -> midBlock.forward(convIn.forward(latents), null, null), latents);
        for (UpBlock2D block : upBlocks) {
            x = stage(x, in -> block.forward(in, null, null, null));
        }
        return stage(x, in -> convOut.forward(SiLU.forward(convNormOut.forward(in))));
    }

    private static NDArray stage(NDArray in, java.util.function.UnaryOperator<NDArray> body) {
        NDArray out = Intermediates.freedAfter(() -> body.apply(in), in);
        in.close();
        return out;
    }
}
