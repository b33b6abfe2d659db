package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;
import dev.ldmforge.runtime.nn.Scope;

import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * One resolution level going up: resnets, each on its input concatenated with the most recent skip connection and
 * followed by an attention when the block has one, then an optional {@code upsamplers.0}. Covers diffusers'
 * {@code UpBlock2D}, {@code CrossAttnUpBlock2D} and the VAE's {@code UpDecoderBlock2D} (no skips, no time embedding).
 */
public final class UpBlock2D {
    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<SpatialAttention> attentions = new ArrayList<>();
    private final Upsample2D upsampler;

    /**
     * @param skipChannels channels of the skip each resnet concatenates (one entry per resnet; all 0 in the VAE)
     * @param attention    null for a block without attention
     */
    public UpBlock2D(Scope scope, long prevOut, long out, long[] skipChannels, ResnetBlock2D.Settings resnet,
            SpatialAttention.Factory attention, boolean addUpsample) {
        for (int i = 0; i < skipChannels.length; i++) {
            long in = (i == 0 ? prevOut : out) + skipChannels[i];
            resnets.add(new ResnetBlock2D(scope.child("resnets").child(i), in, out, resnet));
            if (attention != null) {
                attentions.add(attention.create(scope.child("attentions").child(i), out));
            }
        }
        this.upsampler = addUpsample ? new Upsample2D(scope.child("upsamplers").child(0), out) : null;
    }

    /**
     * Pops one skip per resnet from {@code skips} (null in the VAE). The upsampler targets the size of the next skip
     * on the stack, which is twice the input unless the UNet's input size was not a multiple of its down-scaling.
     */
    public NDArray forward(NDArray x, NDArray temb, NDArray context, Deque<NDArray> skips) {
        NDArray h = x;
        for (int i = 0; i < resnets.size(); i++) {
            if (skips != null) {
                h = replace(h, h.concat(skips.pop(), 1), x);
            }
            h = replace(h, resnets.get(i).forward(h, temb), x);
            if (!attentions.isEmpty()) {
                h = replace(h, attentions.get(i).forward(h, context), x);
            }
        }
        if (upsampler != null) {
            NDArray target = skips == null || skips.isEmpty() ? null : skips.peek();
            long height = target == null ? 2 * h.getShape().get(2) : target.getShape().get(2);
            long width = target == null ? 2 * h.getShape().get(3) : target.getShape().get(3);
            h = replace(h, upsampler.forward(h, height, width), x);
        }
        return h;
    }

    /** {@code next}, freeing {@code previous} unless it is the block's input or the same array (an in-place op). */
    private static NDArray replace(NDArray previous, NDArray next, NDArray input) {
        if (previous != input && previous != next) {
            previous.close();
        }
        return next;
    }
}
