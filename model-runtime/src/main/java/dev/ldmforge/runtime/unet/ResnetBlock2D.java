package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;
import dev.ldmforge.runtime.nn.Conv2d;
import dev.ldmforge.runtime.nn.GroupNorm;
import dev.ldmforge.runtime.nn.Intermediates;
import dev.ldmforge.runtime.nn.Linear;
import dev.ldmforge.runtime.nn.Scope;
import dev.ldmforge.runtime.nn.SiLU;

/**
 * diffusers' {@code ResnetBlock2D} ("default" time embedding norm): norm, SiLU, conv, plus the projected time
 * embedding, norm, SiLU, conv; added to the input (through a 1×1 {@code conv_shortcut} when the channel count
 * changes) and divided by the output scale factor.
 */
public final class ResnetBlock2D {

    /** What all resnets of a network share. {@code tembChannels} 0 means no time embedding (the VAE). */
    public record Settings(long tembChannels, int groups, double eps, double outputScaleFactor) {
    }

    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeEmbProj;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d convShortcut;
    private final double outputScaleFactor;

    public ResnetBlock2D(Scope scope, long in, long out, Settings s) {
        this.norm1 = new GroupNorm(scope.child("norm1"), s.groups(), in, s.eps());
        this.conv1 = Conv2d.same(scope.child("conv1"), in, out, 3);
        this.timeEmbProj = s.tembChannels() > 0 ? new Linear(scope.child("time_emb_proj"), s.tembChannels(), out, true)
                : null;
        this.norm2 = new GroupNorm(scope.child("norm2"), s.groups(), out, s.eps());
        this.conv2 = Conv2d.same(scope.child("conv2"), out, out, 3);
        this.convShortcut = in != out ? new Conv2d(scope.child("conv_shortcut"), in, out, 1, 1, 0) : null;
        this.outputScaleFactor = s.outputScaleFactor();
    }

    /** x [B, in, H, W], temb [B, tembChannels] (ignored without a time embedding) -> [B, out, H, W]. */
    public NDArray forward(NDArray x, NDArray temb) {
        return Intermediates.freedAfter(() -> {
            NDArray h = normActivateConv(norm1, conv1, x);
            if (timeEmbProj != null) {
                NDArray t = timeEmbProj.forward(SiLU.forward(temb));
                h.addi(t.reshape(t.getShape().get(0), -1, 1, 1));
            }
            h = normActivateConv(norm2, conv2, h);
            NDArray sum = h.addi(convShortcut == null ? x : convShortcut.forward(x));
            return outputScaleFactor == 1.0 ? sum : sum.divi(outputScaleFactor);
        }, x, temb);
    }

    /**
     * conv(SiLU(norm(x))), freeing the norm's and the activation's outputs as soon as they are used: at 768×768 VAE
     * levels each is 0.3–0.6 GB, and holding them until the block ends would double its peak memory.
     */
    private static NDArray normActivateConv(GroupNorm norm, Conv2d conv, NDArray x) {
        NDArray normed = norm.forward(x);
        NDArray activated = SiLU.forward(normed);
        normed.close();
        NDArray out = conv.forward(activated);
        activated.close();
        return out;
    }
}
