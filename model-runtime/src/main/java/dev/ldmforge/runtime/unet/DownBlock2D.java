package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;
import dev.ldmforge.runtime.nn.Scope;

import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * One resolution level going down: resnets, each followed by an attention when the block has one, then an optional
 * {@code downsamplers.0}. Covers diffusers' {@code DownBlock2D}, {@code CrossAttnDownBlock2D} and the VAE's
 * {@code DownEncoderBlock2D} (no time embedding, no attention, downsample padding 0).
 */
public final class DownBlock2D {
    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<SpatialAttention> attentions = new ArrayList<>();
    private final Downsample2D downsampler;

    /**
     * @param attention null for a block without attention
     * @param downsamplePadding the downsampler conv's padding, or -1 for a block without downsampler (the last level)
     */
    public DownBlock2D(Scope scope, long in, long out, int layers, ResnetBlock2D.Settings resnet,
            SpatialAttention.Factory attention, int downsamplePadding) {
        for (int i = 0; i < layers; i++) {
            resnets.add(new ResnetBlock2D(scope.child("resnets").child(i), i == 0 ? in : out, out, resnet));
            if (attention != null) {
                attentions.add(attention.create(scope.child("attentions").child(i), out));
            }
        }
        this.downsampler = downsamplePadding < 0 ? null
                : new Downsample2D(scope.child("downsamplers").child(0), out, downsamplePadding);
    }

    /** Pushes every resnet (+ attention) output and the downsampled output onto {@code skips} unless it is null. */
    public NDArray forward(NDArray x, NDArray temb, NDArray context, Deque<NDArray> skips) {
        NDArray h = x;
        for (int i = 0; i < resnets.size(); i++) {
            h = resnets.get(i).forward(h, temb);
            if (!attentions.isEmpty()) {
                h = attentions.get(i).forward(h, context);
            }
            keep(skips, h);
        }
        if (downsampler != null) {
            h = downsampler.forward(h);
            keep(skips, h);
        }
        return h;
    }

    private static void keep(Deque<NDArray> skips, NDArray h) {
        if (skips != null) {
            skips.push(h);
        }
    }
}
